import Foundation
import Hummingbird
import Logging

/// Counters exposed at /metrics in the Prometheus text format.
final class Metrics: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var requests: [String: Int] = [:]
    private var eventsSent = 0
    private var eventsReceived = 0
    private var syncs: [String: Int] = [:]

    func add(request status: Int) {
        lock.lock()
        requests["\(status)", default: 0] += 1
        lock.unlock()
    }

    func add(eventsSent n: Int = 0, eventsReceived m: Int = 0) {
        lock.lock()
        eventsSent += n
        eventsReceived += m
        lock.unlock()
    }

    func add(sync ok: Bool) {
        lock.lock()
        syncs[ok ? "ok" : "error", default: 0] += 1
        lock.unlock()
    }

    func render(events: Int, groupCommits: (groups: Int, writers: Int) = (0, 0)) -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = "# HELP accord_events Events in this node's log.\n# TYPE accord_events gauge\naccord_events \(events)\n"
        out += "# HELP accord_http_requests_total HTTP requests by status.\n# TYPE accord_http_requests_total counter\n"
        for (s, n) in requests.sorted(by: { $0.key < $1.key }) { out += "accord_http_requests_total{status=\"\(s)\"} \(n)\n" }
        out += "# HELP accord_sync_events_sent_total Events served to pulling peers.\n# TYPE accord_sync_events_sent_total counter\n"
        out += "accord_sync_events_sent_total \(eventsSent)\n"
        out +=
            "# HELP accord_sync_events_received_total Events accepted from pushing peers.\n# TYPE accord_sync_events_received_total counter\n"
        out += "accord_sync_events_received_total \(eventsReceived)\n"
        out += "# HELP accord_peer_syncs_total Background syncs by result.\n# TYPE accord_peer_syncs_total counter\n"
        for (s, n) in syncs.sorted(by: { $0.key < $1.key }) { out += "accord_peer_syncs_total{result=\"\(s)\"} \(n)\n" }
        out += "# HELP accord_group_commits_total Write transactions of the edit endpoint (one sync each).\n"
        out += "# TYPE accord_group_commits_total counter\naccord_group_commits_total \(groupCommits.groups)\n"
        out += "# HELP accord_group_commit_writers_total Edit requests those transactions carried.\n"
        out += "# TYPE accord_group_commit_writers_total counter\naccord_group_commit_writers_total \(groupCommits.writers)\n"
        return out
    }
}

/// One structured log line per request: method, path, status, duration.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        func line(_ status: Int) {
            metrics.add(request: status)
            logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .stringConvertible(status),
                    "ms": .string(String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)),
                ])
        }
        do {
            let response = try await next(request, context)
            line(response.status.code)
            return response
        } catch let e as any HTTPResponseError {
            line(e.status.code)
            throw e
        } catch {
            line(500)
            throw error
        }
    }
}
