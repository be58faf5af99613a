import Foundation

/// What one sync with a peer did.
public struct SyncReport: Sendable, Codable, Equatable {
    /// How many refusal messages a report keeps (the counts are always complete).
    public static let maxExamples = 10

    public var peer: String
    public var roundTrips = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var eventsSent = 0
    public var eventsReceived = 0
    /// Events the peer sent that this node refused (bad signature, fork, ...).
    public var rejectedReceived = 0
    /// Events this node sent that the peer refused.
    public var rejectedSent = 0
    /// Refusals by reason code (Docs/protocol.md), each way.
    public var rejectedReceivedByCode: [String: Int] = [:]
    public var rejectedSentByCode: [String: Int] = [:]
    /// The first refusals, each "code: reason".
    public var refusals: [String] = []
    /// Keys seen signing two different events with one seq during this sync.
    public var forkedKeys: [String] = []
    /// True when, after the sync, each node holds every event the other offered and both
    /// show the same records (equal digests).
    public var inSync = true
    /// This node's records digest and the peer's, after a sync that left equal vectors.
    public var digest: String?
    public var peerDigest: String?
    public var seconds = 0.0
    public var newConflicts = 0
    /// Event bodies this node still waits for after the sync (received without one, or
    /// erased by a redaction that no longer counts): those edits stay out of its records.
    public var bodiesOwed = 0
    /// The peer's transparency log as this node checked it (nil: the peer signs no checkpoints).
    public var peerLog: String?
    /// Whether this node co-signed the peer's checkpoint and the peer kept the cosignature.
    public var witnessed: String?
    /// Nil when the sync did all it should; else one line: what went wrong and what to do.
    public var problem: String?
    public var error: String?

    public init(peer: String) { self.peer = peer }

    public var summary: String {
        var s =
            "\(peer): \(roundTrips) round trips, received \(eventsReceived) events (\(bytesReceived) bytes), sent \(eventsSent) events (\(bytesSent) bytes), "
            + String(format: "%.3f s", seconds) + ", \(newConflicts) new conflicts"
        if rejectedReceived > 0 { s += ", \(rejectedReceived) received events refused (\(Self.describe(rejectedReceivedByCode)))" }
        if rejectedSent > 0 { s += ", \(rejectedSent) sent events refused by the peer (\(Self.describe(rejectedSentByCode)))" }
        // Said, not a failure: the node may wait for good for a body no peer holds (an event
        // pushed without one), and every sync would otherwise fail.
        if bodiesOwed > 0 {
            s += "; \(bodiesOwed) event bodies still owed to this node (their edits are held out of its records until a peer sends them)"
        }
        if let peerLog { s += "; \(peerLog)" }
        if let witnessed { s += "; \(witnessed)" }
        if let error { s += "; error: \(error)" }
        return s
    }

    static func describe(_ byCode: [String: Int]) -> String {
        byCode.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// Sets `problem` from what the sync saw: a fork, refusals, or nodes still apart.
    public mutating func judge() {
        let apartAtEqualVectors = digest != nil && peerDigest != nil && digest != peerDigest
        if apartAtEqualVectors { inSync = false }
        judgeEvents()
        if apartAtEqualVectors, let digest, let peerDigest {
            problem =
                (problem.map { $0 + "; " } ?? "")
                + "the nodes hold the same events but show different records (this node's digest \(digest), the peer's \(peerDigest)): "
                + "run `accord rebuild` on both and compare `accord digest`; if they still differ, report it with both logs (`accord export`)"
        }
    }

    mutating func judgeEvents() {
        if !forkedKeys.isEmpty {
            let keys = forkedKeys.map { String($0.prefix(20)) + "…" }.joined(separator: ", ")
            problem =
                "fork: \(keys) signed different events with the same seq on two nodes (one key used on two nodes); "
                + "neither node signs with that key any more. Make a device key per node (`accord keygen --out FILE`), "
                + "have an admin `accord grant` it, and redo the edits of the branch that was refused (`accord forks` lists them)"
        } else if rejectedReceived > 0 || rejectedSent > 0 {
            problem =
                "\(rejectedReceived + rejectedSent) events refused (\(Self.describe(rejectedReceivedByCode.merging(rejectedSentByCode, uniquingKeysWith: +)))): "
                + "the nodes did not exchange everything; `accord sync --json` lists the reasons, `accord verify` checks this node"
        } else if !inSync && (digest == nil || digest == peerDigest) {
            problem = "the nodes still hold different events after the sync; sync again, and if this persists run `accord verify` on both"
        } else {
            problem = nil
        }
    }
}

/// Why a sync failed, said so a user can act.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
