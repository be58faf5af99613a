import AccordCore
import AccordStore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Runs blocking database work off the cooperative thread pool.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { cont in
        DispatchQueue.global().async { cont.resume(with: Result { try work() }) }
    }
}

/// One sync between this node's log and a peer over HTTP: pull (the events this node
/// lacks, in pages, ingested as they stream in), then push (the events the peer lacks).
/// Every request has a deadline, so a silent peer fails the sync instead of hanging it.
public struct SyncSession: Sendable {
    public let log: EventLog
    public let peer: String
    public let http: HTTPClient
    public var pageEvents = SyncProtocol.defaultPageEvents
    public var pageBytes = SyncProtocol.defaultPageBytes
    public var timeout: TimeAmount = .seconds(60)
    /// Called after each ingested batch of a pull (tests use it to interrupt a transfer).
    public var onBatch: (@Sendable (Int) async -> Void)?

    public init(log: EventLog, peer: String, http: HTTPClient) {
        self.log = log
        self.peer = peer.hasSuffix("/") ? String(peer.dropLast()) : peer
        self.http = http
    }

    /// An HTTP client with connect and read timeouts; shut it down when done.
    public static func makeClient() -> HTTPClient {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Pull then push. Failures are thrown after everything that arrived whole was kept.
    public func sync(push: Bool = true) async throws -> SyncReport {
        var report = SyncReport(peer: peer)
        let start = DispatchTime.now().uptimeNanoseconds
        let conflictsBefore = try await offload { [log] in try Curation(log: log).conflicts().count }
        defer { report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let end = try await pull(&report)
        if push, let end { try await self.push(against: end.vector, dataset: end.dataset, &report) }
        report.newConflicts = max(0, try await offload { [log] in try Curation(log: log).conflicts().count } - conflictsBefore)
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return report
    }

    func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .deadlineExceeded, .readTimeout: return "\(peer) timed out"
            case .remoteConnectionClosed: return "\(peer) closed the connection mid-transfer"
            default: break
            }
        }
        let text = "\(error)"
        if text.contains("connection refused") || text.contains("Connection refused") || text.contains("connectFailed") {
            return "cannot reach \(peer) (connection refused)"
        }
        return "\(peer): \(text)"
    }

    /// Pulls every page; returns the last page's end line (the peer's vector).
    func pull(_ report: inout SyncReport) async throws -> SyncProtocol.PageEnd? {
        var after: Int64 = 0
        var lastEnd: SyncProtocol.PageEnd?
        while true {
            let (dataset, vector) = try await offload { [log] in (try log.datasetID(), try log.versionVector()) }
            let body = SyncProtocol.PullRequest(dataset: dataset, vector: vector, after: after, maxEvents: pageEvents, maxBytes: pageBytes)
                .json.canonicalBytes
            var request = HTTPClientRequest(url: peer + SyncProtocol.pullPath)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            if let dataset { request.headers.add(name: SyncProtocol.datasetHeader, value: dataset) }
            request.body = .bytes(ByteBuffer(bytes: body))
            report.roundTrips += 1
            report.bytesSent += body.count
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: timeout)
            } catch {
                throw SyncError(describe(error))
            }
            guard response.status == .ok else {
                let text = try? await response.body.collect(upTo: 1 << 16)
                throw SyncError("\(peer) refused the pull (\(response.status.code)): \(Self.problemDetail(text))")
            }
            var pending: [UInt8] = []
            var batch: [[UInt8]] = []
            var end: SyncProtocol.PageEnd?
            // Lines go to the ingest pipeline as they stream in: signatures are checked on
            // every core while earlier batches are appended.
            let queue = BatchQueue()
            let tally = IngestTally()
            let ingestion = Task.detached { [log] in
                try await offload {
                    try log.ingest(
                        next: { queue.next() },
                        handle: { out in
                            let s = IngestSummary(out)
                            tally.add(accepted: s.accepted, rejected: s.rejected)
                        })
                }
            }
            func flush() async {
                guard !batch.isEmpty else { return }
                let lines = batch
                batch = []
                await withCheckedContinuation { cont in
                    DispatchQueue.global().async {
                        queue.put(lines)
                        cont.resume()
                    }
                }
                if let onBatch { await onBatch(lines.count) }
            }
            func settle() async throws {
                queue.finish()
                try await ingestion.value
                let (accepted, rejected) = tally.counts
                report.eventsReceived += accepted
                report.rejectedReceived += rejected
            }
            do {
                for try await chunk in response.body {
                    report.bytesReceived += chunk.readableBytes
                    pending += chunk.readableBytesView
                    var start = 0
                    defer { pending.removeFirst(start) }
                    while let nl = pending[start...].firstIndex(of: 0x0A) {
                        let line = Array(pending[start..<nl])
                        start = nl + 1
                        if line.isEmpty { continue }
                        if line.first == UInt8(ascii: "{"),
                            line.starts(with: Array("{\"dataset\"".utf8)) || line.starts(with: Array("{\"end\"".utf8)),
                            let json = try? JSONParser.parse(line), let e = SyncProtocol.PageEnd(json: json)
                        {
                            end = e
                            continue
                        }
                        batch.append(line)
                        if batch.count >= 2048 { await flush() }
                    }
                }
            } catch {
                // Keep every event that arrived whole; the next sync resumes from the vector.
                await flush()
                try await settle()
                throw SyncError(describe(error))
            }
            await flush()
            try await settle()
            guard let end else {
                throw SyncError("\(peer) ended the transfer early; the events that arrived were kept, sync again to resume")
            }
            lastEnd = end
            guard let next = end.next else { break }
            after = next
        }
        return lastEnd
    }

    /// Pushes what the peer lacks, in pages, in this node's log order.
    func push(against vector: VersionVector, dataset: String?, _ report: inout SyncReport) async throws {
        var after: Int64 = 0
        while true {
            let from = after
            let (events, next) = try await offload { [log, pageEvents, pageBytes] in
                try log.missing(for: vector, after: from, maxEvents: pageEvents, maxBytes: pageBytes)
            }
            if events.isEmpty { return }
            var body: [UInt8] = []
            for e in events {
                body += e.wireLine
                body.append(0x0A)
            }
            var request = HTTPClientRequest(url: peer + SyncProtocol.pushPath)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/x-ndjson")
            if let dataset { request.headers.add(name: SyncProtocol.datasetHeader, value: dataset) }
            request.body = .bytes(ByteBuffer(bytes: body))
            report.roundTrips += 1
            report.bytesSent += body.count
            let response: HTTPClientResponse
            let text: ByteBuffer
            do {
                response = try await http.execute(request, timeout: timeout)
                text = try await response.body.collect(upTo: 16 << 20)
            } catch {
                throw SyncError(describe(error))
            }
            report.bytesReceived += text.readableBytes
            guard response.status == .ok else {
                throw SyncError("\(peer) refused the push (\(response.status.code)): \(Self.problemDetail(text))")
            }
            let result = try? JSONParser.parse([UInt8](text.readableBytesView))
            report.eventsSent += result?["accepted"]?.intValue ?? 0
            report.rejectedSent += result?["rejected"]?.intValue ?? 0
            guard let next else { return }
            after = next
        }
    }

    static func problemDetail(_ body: ByteBuffer?) -> String {
        guard let body, let json = try? JSONParser.parse([UInt8](body.readableBytesView)) else { return "no detail" }
        return json["detail"]?.stringValue ?? json["title"]?.stringValue ?? json.canonicalString
    }
}
