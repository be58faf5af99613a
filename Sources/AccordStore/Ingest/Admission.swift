import AccordCore
import Foundation
import Synchronization

/// Which lines are worth a hash and a signature check: lines by the dataset's members
/// (revoked ones too, up to the events past their cut-off kept as invalid evidence) and by
/// keys granted earlier in the same stream, whose seq and `prev` can follow what this node
/// holds (`ChainRules.admission`). Anything else is refused after a parse, before any hash
/// or signature is computed, so a flood costs parsing, not verification, whoever's key it
/// names: a stranger's, or a member's (keys are public) with a seq or `prev` that cannot
/// follow. A key whose lines failed their checks (id, body hash, signature)
/// `maxFailedChecks` times in a stream gets no further checks in it: a forger could
/// otherwise name a member's key with a valid chain position on every line, while a few
/// damaged lines (a corrupted file, a relay's forgeries) leave the key's honest lines
/// in the same stream checked and taken.
final class Admission: Sendable {
    /// The producer adds, the transform threads read.
    private let keys: Mutex<Set<String>>
    /// Keys granted the admin role in this stream: their grants open the door too.
    private let admins: Mutex<Set<String>>
    /// Revoked members' cut-offs and the evidence they may leave.
    private let membership: MembershipState
    private let dataset: String?
    /// Each author's chain head on this node when the stream began.
    private let heads: [String: ChainHead]
    /// Lines the stream has handed over so far (`ChainRules.admission`).
    private let received = Atomic<Int>(0)
    /// Keys whose lines failed their checks in this stream: how often, and the first failure.
    private let forged: Mutex<[String: (count: Int, first: EventRejection)]>
    /// Failed checks of one key in one stream after which its lines are refused unchecked.
    static let maxFailedChecks = 16
    /// An empty node admits everything (it learns who is a member from what it adopts).
    private let open: Bool
    private let wallMillis = HybridLogicalClock.wallMillis()

    init(membership: MembershipState, dataset: String?, heads: [String: ChainHead] = [:]) {
        keys = Mutex(Set(membership.members.keys))
        admins = Mutex(Set(membership.members.values.filter { $0.role == .admin }.map(\.key)))
        forged = Mutex([:])
        self.membership = membership
        self.dataset = dataset
        self.heads = heads
        open = dataset == nil
    }

    /// Counts `n` more lines of the stream, before they are checked.
    func receive(_ n: Int) { received.add(n, ordering: .relaxed) }

    func refusal(_ envelope: Envelope) -> EventRejection? {
        guard !open, let dataset, !envelope.isGenesis else { return nil }
        if let kept = membership.keptThrough(envelope.author), envelope.seq > kept,
            case .revoked(let n) = membership.authorize(envelope.author, seq: envelope.seq)
        {
            return IngestRules.beyondRevocation(envelope, through: n, dataset: dataset)
        }
        guard keys.withLock({ $0.contains(envelope.author) }) else {
            return EventRejection(
                .unauthorized, "\(envelope.author) is not a member of dataset \(dataset); an admin must grant it first")
        }
        if let failed = forged.withLock({ $0[envelope.author] }), failed.count >= Self.maxFailedChecks {
            return EventRejection(
                failed.first.code,
                "not checked: \(failed.count) lines signed as \(envelope.author) in this stream failed their checks "
                    + "(first: \(failed.first.code.rawValue)); its further lines in this stream are refused unchecked")
        }
        return ChainRules.admission(
            envelope: envelope, dataset: dataset, head: heads[envelope.author],
            linesInStream: received.load(ordering: .relaxed), wallMillis: wallMillis)
    }

    /// Counts a line of `author` that failed a check its signer's own line always passes.
    func failed(_ author: String, _ rejection: EventRejection) {
        guard [.idMismatch, .bodyHashMismatch, .badSignature].contains(rejection.code) else { return }
        forged.withLock { $0[author, default: (0, rejection)].count += 1 }
    }

    /// Verifies `line` with this admission: the refusal first, and a failed check marks its
    /// author (`failed`).
    func verify(line: [UInt8], limits: EventLimits) -> Result<SignedEvent, EventRejection> {
        var admitted: String?
        let r = WireFormat.verify(
            line: line, limits: limits,
            admit: { env in
                let refused = self.refusal(env)
                if refused == nil { admitted = env.author }
                return refused
            })
        if case .failure(let rejection) = r, let admitted { failed(admitted, rejection) }
        return r
    }

    /// Adds the keys granted by grants in `lines` that this node would apply: verified, with
    /// a valid payload, signed by an admin (of this node, or granted admin earlier in the
    /// stream) at a seq where it may sign. A grant that would be refused (an editor's, a
    /// revoked admin's, one that cannot chain) lets none of its grantee's lines through to
    /// the checks. Grants are rare: only lines that mention member.granted are decoded.
    func learnGrants(
        in lines: [[UInt8]], limits: EventLimits, validate: (SignedEvent) -> Result<SignedEvent, EventRejection>
    ) {
        guard !open else { return }
        let marker = Array(AuthorizationEvent.Kind.granted.rawValue.utf8)
        for line in lines where Self.contains(line, marker) {
            guard case .success(let e) = verify(line: line, limits: limits).flatMap(validate),
                e.envelope.type == AuthorizationEvent.Kind.granted.rawValue, let subject = e.envelope.subject,
                let body = e.body,
                case .granted(_, let role, _, _)? = try? AuthorizationEvent(
                    type: e.envelope.type, schema: e.envelope.schema, subject: subject, body: body)
            else { continue }
            let byAdmin: Bool
            switch membership.authorize(e.envelope.author, seq: e.envelope.seq) {
            case .valid(let r): byAdmin = r == .admin || admins.withLock { $0.contains(e.envelope.author) }
            case .notMember: byAdmin = admins.withLock { $0.contains(e.envelope.author) }
            case .revoked: byAdmin = false
            }
            guard byAdmin else { continue }
            keys.withLock { _ = $0.insert(subject) }
            if role == .admin { admins.withLock { _ = $0.insert(subject) } }
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
