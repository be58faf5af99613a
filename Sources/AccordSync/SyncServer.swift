import AccordCore
public import AccordStore

/// The server half of the sync protocol (Docs/protocol.md, section 5): what a pull is
/// answered with, and how a push is taken in. The HTTP handlers (`NodeHandlers+Sync`)
/// only decode, call these and encode.
public enum SyncServer {
    /// A pull's page: its events, and the end line that follows them, all read in one
    /// snapshot of the log.
    public static func page(
        for pull: SyncProtocol.PullRequest, log: EventLog
    ) throws -> (
        events: [StoredEvent], end: SyncProtocol.PageEnd
    ) {
        let s = try log.pullSnapshot(
            vector: pull.vector, heads: pull.heads, forks: pull.forks, bodies: pull.bodies, after: pull.after,
            maxEvents: pull.maxEvents, maxBytes: pull.maxBytes, maxOwed: SyncProtocol.maxBodiesAsked)
        var end = SyncProtocol.PageEnd(next: s.next, events: s.events.count, dataset: s.dataset, vector: s.vector, heads: s.heads)
        end.bodies = s.owed
        end.unshared = s.unshared.sorted()
        end.forks = s.forkPoints.filter { s.vector[$0.key] >= $0.value }
        return (s.events, end)
    }

    /// Why a request that names another dataset than this node's (`mine`) is refused (409),
    /// or nil; an empty node refuses none.
    public static func otherDataset(mine: String?, claimed: [String?]) -> String? {
        guard let mine, let other = claimed.compactMap({ $0 }).first(where: { $0 != mine }) else { return nil }
        return "this node holds dataset \(mine), the request is for dataset \(other); no events were exchanged"
    }
}

/// A push body taken in as it arrives, into the ingest pipeline, under the push rules: a
/// size limit, a total time and a minimum pace (a push holds one of the few push slots,
/// so a trickling stranger cannot keep members' pushes out), and an end for a push whose
/// lines are mostly refused (lines refused for free must not buy a slot).
public enum PushIntake {
    /// The push body could not be read to its end (what arrived whole before was kept).
    public struct BodyUnreadable: Error {
        public let underlying: any Error
    }

    /// Why a push was ended before its body's end.
    public enum Stop: Sendable, Equatable {
        case tooLarge
        case tooSlow(String)
        case mostlyRefused
    }

    /// Refused lines a push may send before its refusals are weighed against what it brings.
    public static let refusalsAllowed = 4096
    /// The longest a push may hold a push slot.
    public static let maxDuration = Duration.seconds(120)
    /// The slowest a push may send once it has run 10 s.
    public static let minBytesPerSecond = 16 * 1024

    /// More than `refusalsAllowed` refused lines, and more than four for every line taken
    /// (accepted, duplicate or stored without effect): an honest peer's pushes are events
    /// this node can place, and refuses few.
    public static func mostlyRefused(_ s: IngestSummary) -> Bool {
        s.rejected > refusalsAllowed && s.rejected > 4 * (s.accepted + s.duplicate + s.invalid)
    }

    /// Takes in a push: `read` hands each piece of the body to `take` until the body ends,
    /// `take` says why the push ends early, or reading fails (thrown again after the events
    /// that arrived whole were kept). Returns the counts and why the push was ended, if it was.
    public static func run(
        log: EventLog, _ read: (_ take: ([UInt8]) async -> Stop?) async throws -> Stop?
    ) async throws -> (result: StreamingIngest.Result, stop: Stop?) {
        let start = ContinuousClock.now
        var received = 0
        var stop: Stop?
        let (result, failure) = try await StreamingIngest.run(log: log) { stream in
            stop = try await read { bytes in
                received += bytes.count
                if received > SyncProtocol.maxPushBytes { return .tooLarge }
                await stream.feed(bytes)
                if mostlyRefused(stream.current.summary) { return .mostlyRefused }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                if elapsed > maxDuration { return .tooSlow("a push may take at most \(maxDuration)") }
                if seconds > 10, Double(received) / seconds < Double(minBytesPerSecond) {
                    return .tooSlow("a push must send at least \(minBytesPerSecond / 1024) KiB/s after its first 10 s")
                }
                return nil
            }
        }
        if let failure { throw BodyUnreadable(underlying: failure) }
        // Judged again on the whole push: its last piece may have tipped it.
        return (result, stop ?? (mostlyRefused(result.summary) ? .mostlyRefused : nil))
    }
}
