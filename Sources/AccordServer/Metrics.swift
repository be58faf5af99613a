import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// What a node exposes at /metrics, in the Prometheus text format, through swift-prometheus:
/// the HTTP metrics Hummingbird's `MetricsMiddleware` records through swift-metrics (a
/// registry for the process: swift-metrics has one factory per process), then this node's
/// own (a registry per node: events, sync and group-commit counters).
final class Metrics: Sendable {
    /// The process's registry, bootstrapped as swift-metrics' factory on first use.
    /// Metric and label names are made Prometheus-legal (`http.server.request.duration` →
    /// `http_server_request_duration`).
    static let process: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (Metrics.legal(name), labels.map { (Metrics.legal($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    static func legal(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }

    let registry = PrometheusCollectorRegistry()
    let events: Prometheus.Gauge
    let evidence: Prometheus.Gauge
    let eventsSent: Prometheus.Counter
    let eventsReceived: Prometheus.Counter
    let syncsOK: Prometheus.Counter
    let syncsFailed: Prometheus.Counter
    let groupCommits: Prometheus.Counter
    let groupCommitWriters: Prometheus.Counter
    /// The group-commit statistics already counted (they are cumulative in `GroupCommit`).
    private let counted = Mutex((groups: 0, writers: 0))

    init() {
        _ = Self.process
        events = registry.makeGauge(name: "accord_events", help: "Events in this node's log.")
        evidence = registry.makeGauge(
            name: "accord_log_evidence_open", help: "Undecided evidence against peers' transparency logs (accord evidence); alert on > 0.")
        eventsSent = registry.makeCounter(name: "accord_sync_events_sent_total", help: "Events served to pulling peers.")
        eventsReceived = registry.makeCounter(name: "accord_sync_events_received_total", help: "Events accepted from pushing peers.")
        let syncs = "Background syncs by result."
        syncsOK = registry.makeCounter(name: "accord_peer_syncs_total", labels: [("result", "ok")], help: syncs)
        syncsFailed = registry.makeCounter(name: "accord_peer_syncs_total", labels: [("result", "error")], help: syncs)
        groupCommits = registry.makeCounter(
            name: "accord_group_commits_total", help: "Write transactions of the edit endpoint (one sync each).")
        groupCommitWriters = registry.makeCounter(
            name: "accord_group_commit_writers_total", help: "Edit requests those transactions carried.")
    }

    func add(eventsSent n: Int = 0, eventsReceived m: Int = 0) {
        if n > 0 { eventsSent.increment(by: Int64(n)) }
        if m > 0 { eventsReceived.increment(by: Int64(m)) }
    }

    func add(sync ok: Bool) { (ok ? syncsOK : syncsFailed).increment() }

    /// The exposition: the process's HTTP metrics, then this node's.
    func render(events count: Int, evidence open: Int = 0, groupCommits statistics: (groups: Int, writers: Int) = (0, 0)) -> String {
        events.set(Int64(count))
        evidence.set(Int64(open))
        let (groups, writers) = counted.withLock { c in
            defer { c = (max(c.groups, statistics.groups), max(c.writers, statistics.writers)) }
            return (statistics.groups - c.groups, statistics.writers - c.writers)
        }
        if groups > 0 { groupCommits.increment(by: Int64(groups)) }
        if writers > 0 { groupCommitWriters.increment(by: Int64(writers)) }
        return Self.process.emitToString() + registry.emitToString()
    }
}
