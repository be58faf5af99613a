import AccordCore
import Foundation
import Synchronization

/// Which authors' events are worth a signature check: the dataset's members (revoked ones
/// too, up to the events past their cut-off kept as invalid evidence) and keys granted
/// earlier in the same stream. Anything else is
/// refused as `unauthorized` after a parse, before any hash or signature is computed, so a
/// stranger's or a revoked key's flood costs parsing, not verification.
final class Admission: Sendable {
    /// The producer adds, the transform threads read.
    private let keys: Mutex<Set<String>>
    /// Revoked members' cut-offs and the evidence they may leave.
    private let membership: MembershipState
    private let dataset: String?
    /// An empty node admits everything (it learns who is a member from what it adopts).
    private let open: Bool

    init(membership: MembershipState, dataset: String?) {
        keys = Mutex(Set(membership.members.keys))
        self.membership = membership
        self.dataset = dataset
        open = dataset == nil
    }

    func refusal(_ envelope: Envelope) -> EventRejection? {
        if open || envelope.isGenesis { return nil }
        if let kept = membership.keptThrough(envelope.author), envelope.seq > kept,
            case .revoked(let n) = membership.authorize(envelope.author, seq: envelope.seq)
        {
            return EventLog.beyondRevocation(envelope, through: n, dataset: dataset)
        }
        if keys.withLock({ $0.contains(envelope.author) }) { return nil }
        return EventRejection(
            .unauthorized, "\(envelope.author) is not a member of dataset \(dataset ?? "-"); an admin must grant it first")
    }

    /// Adds the keys granted by verified grants in `lines` from admitted authors (grants are
    /// rare: only lines that mention member.granted are decoded, and only those are verified).
    func learnGrants(in lines: [[UInt8]], limits: EventLimits) {
        guard !open else { return }
        let marker = Array(AuthorizationEvent.Kind.granted.rawValue.utf8)
        for line in lines where Self.contains(line, marker) {
            guard case .success(let e) = WireFormat.verify(line: line, limits: limits, admit: refusal),
                e.envelope.type == AuthorizationEvent.Kind.granted.rawValue, let subject = e.envelope.subject
            else { continue }
            keys.withLock { _ = $0.insert(subject) }
        }
    }

    /// Whether `marker` occurs in `line`: `memchr` to each candidate first byte, then `memcmp`.
    /// The generic `firstRange(of:)` took a tenth of a clone's CPU time, on the one thread
    /// that hands the lines out.
    static func contains(_ line: [UInt8], _ marker: [UInt8]) -> Bool {
        guard let first = marker.first else { return true }
        guard line.count >= marker.count else { return false }
        return line.withUnsafeBufferPointer { l in
            marker.withUnsafeBufferPointer { m in
                var p = UnsafeRawPointer(l.baseAddress!)
                let end = p + (l.count - m.count + 1)
                while p < end, let hit = memchr(p, Int32(first), end - p) {
                    if memcmp(hit, m.baseAddress!, m.count) == 0 { return true }
                    p = UnsafeRawPointer(hit) + 1
                }
                return false
            }
        }
    }
}
