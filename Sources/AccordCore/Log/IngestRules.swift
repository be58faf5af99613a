/// What the append stage does with one checked event (its id, hash and signature verified),
/// decided from what the node holds. The store reads the facts (`IngestFacts`) and carries
/// the action out; it decides nothing itself.
public enum IngestAction: Sendable, Equatable {
    /// Already stored: nothing to do.
    case duplicate
    /// Stored without its body, which this copy carries: the body is stored and the event
    /// takes effect now.
    case fillBody
    /// Append it.
    case append(Append)
    /// A second signed event for an (author, seq) this node holds: refused, and kept as
    /// fork evidence when `keep` (a member's key, under the per-key bound).
    case fork(existingID: String, keep: Bool)
    /// Refused. `retry`: it may pass later in the same batch (its grant, its predecessor or
    /// the genesis may come after it).
    case refuse(EventRejection, retry: Bool)

    /// How an event is appended.
    public struct Append: Sendable, Equatable {
        /// The genesis of an empty node: the node takes its dataset.
        public var adoptsDataset = false
        /// Stored without effect, and why (a revoked signer, within the events kept as evidence).
        public var invalidReason: String?
        /// Stored without its body: a redaction of it is in effect here.
        public var dropBody = false
        /// No body and no redaction known: stored and chained, out of the read models until
        /// the body comes (`PendingBodies.swift`).
        public var bodyPending = false
        /// A redaction of it was held until it came: settled once it is stored.
        public var settlesHeldRedaction = false
    }
}

/// What the store holds about one event, read only when a decision needs it (most events
/// need none of it).
public protocol IngestFacts {
    /// This node stores the event without its body and waits for it.
    func bodyOwed(_ id: String) throws -> Bool
    /// A valid redaction of the event is in effect here.
    func redactionInEffect(_ id: String) throws -> Bool
    /// A redaction of the event is stored, waiting for its target.
    func redactionHeld(_ id: String) throws -> Bool
    /// This very event is kept as fork evidence already.
    func forkEvidenceKept(_ id: String) throws -> Bool
    /// How many fork evidence entries this node keeps for the key.
    func forkEvidenceCount(_ author: String) throws -> Int
}

/// The ingest's rules beyond the chain (`ChainRules`): who may sign what, bodies owed and
/// erased, and fork evidence, as one pure decision.
public enum IngestRules {
    /// Fork evidence kept per key: enough to prove and show an equivocation, bounded.
    public static let maxForksPerAuthor = 16

    /// - Parameters:
    ///   - chain: where the event stands in its author's chain (`ChainRules.decide`).
    ///   - hasBody: the line carries the body.
    ///   - membership: who may write, as this transaction stands so far.
    ///   - dataset: the node's dataset id, for messages.
    ///   - headSeq: the author's last seq on this node.
    public static func decide(
        id: String, envelope env: Envelope, hasBody: Bool, chain: ChainDecision, membership: MembershipState, dataset: String?,
        headSeq: Int, facts: some IngestFacts
    ) throws -> IngestAction {
        switch chain {
        case .duplicate:
            return try hasBody && facts.bodyOwed(id) ? .fillBody : .duplicate
        case .append(let adopts):
            return try append(
                id: id, envelope: env, hasBody: hasBody, adopts: adopts, membership: membership, dataset: dataset, facts: facts)
        case .fork(let existing):
            return try fork(id: id, envelope: env, existing: existing, membership: membership, dataset: dataset, facts: facts)
        case .reject(let r):
            let retry = (r.code == .seqGap && env.seq > headSeq + 1) || r.code == .noDataset
            return .refuse(r, retry: retry)
        }
    }

    static func append(
        id: String, envelope env: Envelope, hasBody: Bool, adopts: Bool, membership: MembershipState, dataset: String?,
        facts: some IngestFacts
    ) throws -> IngestAction {
        var a = IngestAction.Append(adoptsDataset: adopts)
        let isAuthorization = AuthorizationEvent.isAuthorizationType(env.type)
        if !env.isGenesis {
            switch membership.authorize(env.author, seq: env.seq) {
            case .notMember:
                // Its grant may come later in the same batch.
                return .refuse(notMember(env, dataset), retry: true)
            case .revoked(let n):
                // Kept as invalid evidence, up to `keptThrough`.
                if let kept = membership.keptThrough(env.author), env.seq > kept {
                    return .refuse(beyondRevocation(env, through: n, dataset: dataset), retry: false)
                }
                a.invalidReason = membership.refusal(env.author, seq: env.seq)
            case .valid(let role):
                if isAuthorization && role != .admin {
                    return .refuse(
                        EventRejection(
                            .unauthorized, "only an admin may sign \(env.type); \(env.author) is an editor of dataset \(dataset ?? "-")"),
                        retry: false)
                }
            }
        }
        // A body whose redaction is already in effect is not stored again; one whose
        // redaction was held until it came is judged once it is stored.
        let inEffect = try facts.redactionInEffect(id)
        a.dropBody = inEffect
        a.settlesHeldRedaction = try !inEffect && facts.redactionHeld(id)
        if !hasBody && !inEffect {
            if env.isGenesis || isAuthorization {
                return .refuse(
                    EventRejection(.badShape, "a \(env.type) event must carry its body: who may write never waits for a body"), retry: false
                )
            }
            a.bodyPending = true
        }
        return .append(a)
    }

    static func fork(
        id: String, envelope env: Envelope, existing: String, membership: MembershipState, dataset: String?, facts: some IngestFacts
    ) throws -> IngestAction {
        // Evidence this node already keeps (a re-import of an export, a peer's window of a
        // fork both know) is a duplicate: nothing new was learnt.
        if try facts.forkEvidenceKept(id) { return .duplicate }
        // Evidence is kept only for keys that may sign that seq, and at most
        // `maxForksPerAuthor` per key: a revoked or stray key cannot fill the disk.
        guard case .valid = membership.authorize(env.author, seq: env.seq) else {
            if let fork = membership.forkedAt[env.author] {
                return .refuse(EventRejection(.equivocation, ForkRule.reason(env.author, forkSeq: fork)), retry: false)
            }
            return .refuse(notMember(env, dataset), retry: false)
        }
        return .fork(existingID: existing, keep: try facts.forkEvidenceCount(env.author) < maxForksPerAuthor)
    }

    /// Why a fork is refused once recorded; `forkSeq`: the key's lowest fork seq after it.
    public static func forkRefusal(_ env: Envelope, id: String, existing: String, forkSeq: Int?) -> EventRejection {
        EventRejection(
            .equivocation,
            "\(env.author) signed two events with seq \(env.seq): \(existing.prefix(12))... is stored, \(id.prefix(12))... is kept as evidence; from seq \(min(env.seq, forkSeq ?? env.seq)) on nothing it signed counts"
        )
    }

    static func notMember(_ env: Envelope, _ dataset: String?) -> EventRejection {
        EventRejection(.unauthorized, "\(env.author) is not a member of dataset \(dataset ?? "-"); an admin must grant it first")
    }

    /// Why an event signed too far beyond its key's revocation is refused
    /// (`MembershipState.keptThrough`).
    public static func beyondRevocation(_ env: Envelope, through n: Int, dataset: String?) -> EventRejection {
        EventRejection(
            .unauthorized,
            "\(env.author) was revoked after its seq \(n) in dataset \(dataset ?? "-"); the \(MembershipState.maxEventsBeyondRevocation) "
                + "events after that are kept as invalid evidence, seq \(env.seq) is refused")
    }
}
