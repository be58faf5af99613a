import AccordCore
import AccordStore
import AccordSync
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Syncs with each peer on an interval, backing off (doubling, up to 5 minutes) while a
/// peer fails, and records the last result per peer (`accord peers`, /api/v1/peers).
struct PeerSyncService: Service {
    let log: EventLog
    let peers: [String]
    let interval: Duration
    let dataset: String?
    let logger: Logger
    let metrics: Metrics
    /// The node's key: it witnesses each peer's log it verified (co-signs its checkpoint).
    var witnessKey: SigningKey?
    /// The witnesses this node requires on its peers' checkpoints.
    var policy: WitnessPolicy?

    func run() async throws {
        let http = SyncSession.makeClient()
        // A peer named twice (`--peer URL --peer URL`) is synced once.
        var seen: Set<String> = []
        let peers = self.peers.filter { seen.insert($0).inserted }
        var wait: [String: Duration] = Dictionary(uniqueKeysWithValues: peers.map { ($0, .zero) })
        var due: [String: ContinuousClock.Instant] = Dictionary(uniqueKeysWithValues: peers.map { ($0, .now) })
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for peer in peers where due[peer]! <= .now {
                var session = SyncSession(log: log, peer: peer, http: http)
                session.timeout = .seconds(60)
                session.expectedDataset = dataset
                session.witnessKey = witnessKey
                session.witnessPolicy = policy
                do {
                    let report = try await session.sync()
                    if let problem = report.problem { throw SyncError("\(problem) [\(report.summary)]") }
                    metrics.add(sync: true)
                    wait[peer] = interval
                    logger.info(
                        "sync",
                        metadata: [
                            "peer": .string(peer), "roundTrips": .stringConvertible(report.roundTrips),
                            "received": .stringConvertible(report.eventsReceived), "sent": .stringConvertible(report.eventsSent),
                            "bytesIn": .stringConvertible(report.bytesReceived), "bytesOut": .stringConvertible(report.bytesSent),
                            "conflicts": .stringConvertible(report.newConflicts),
                            "seconds": .string(String(format: "%.3f", report.seconds)),
                        ])
                    try? log.recordPeer(url: peer, ok: true, result: report.summary)
                } catch {
                    metrics.add(sync: false)
                    let previous = wait[peer]! == .zero ? interval : wait[peer]!
                    wait[peer] = min(previous * 2, .seconds(300))
                    logger.warning(
                        "sync failed",
                        metadata: ["peer": .string(peer), "error": .string("\(error)"), "retryIn": .string("\(wait[peer]!)")])
                    try? log.recordPeer(url: peer, ok: false, result: "\(error)")
                }
                due[peer] = .now + wait[peer]!
            }
            let next = due.values.min()!
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(until: min(next, .now + .seconds(1)), clock: .continuous)
            }
        }
        try? await http.shutdown()
    }
}
