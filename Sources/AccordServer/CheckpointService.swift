import AccordCore
import AccordStore
import AccordSync
import Logging
import ServiceLifecycle

/// Folds the WAL into the database every second, off the commit path. Without it the
/// writer's automatic checkpoint (every 16,384 pages, sized for bulk imports) ran inside
/// an edit's commit and held every write for up to 15 s on this machine's disk.
struct CheckpointService: Service {
    let log: EventLog
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        guard let checkpointer = try log.backgroundCheckpointer() else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            do {
                try await checkpointer.checkpoint()
            } catch {
                logger.warning("background checkpoint failed; the writer's own checkpoints go on", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Signs a transparency-log checkpoint of this node's tree whenever it has grown, at most
/// once per `interval` (witnesses co-sign the same checkpoint; one per event would defeat
/// them).
struct TreeHeadService: Service {
    let log: EventLog
    let key: SigningKey
    let interval: Duration
    let awaiting: EventLog.CosignatureWait?
    let logger: Logger

    func run() async throws {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            do {
                try await BlockingWork.run { [log, key, awaiting] in
                    _ = try log.signCheckpoint(with: key, interval: seconds, awaiting: awaiting)
                }
            } catch {
                logger.warning("signing a checkpoint failed; the next try is in \(interval)", metadata: ["error": "\(error)"])
            }
        }
    }
}
