/// A member of a dataset, as the membership events say.
public struct Member: Sendable, Hashable, Codable {
    public let key: String
    public var role: MemberRole
    public var name: String
    /// The last seq this key may sign; nil while it is not revoked.
    public var validThroughSeq: Int?

    public init(key: String, role: MemberRole, name: String, validThroughSeq: Int?) {
        self.key = key
        self.role = role
        self.name = name
        self.validThroughSeq = validThroughSeq
    }
}

/// A membership event (grant or revocation) with its place in its author's chain.
public struct MembershipFact: Sendable, Hashable {
    public let id: String
    public let author: String
    public let seq: Int
    public let time: String
    public let event: AuthorizationEvent

    public init(id: String, author: String, seq: Int, time: String, event: AuthorizationEvent) {
        self.id = id
        self.author = author
        self.seq = seq
        self.time = time
        self.event = event
    }
}

/// Whether a key may sign its event number `seq`.
public enum Authorization: Sendable, Equatable {
    case valid(MemberRole)
    case notMember
    case revoked(validThroughSeq: Int)
}

/// A role a key holds from one of its seqs on.
public struct RolePeriod: Sendable, Hashable, Codable {
    public let fromSeq: Int
    public let role: MemberRole
    public let name: String

    public init(fromSeq: Int, role: MemberRole, name: String) {
        self.fromSeq = fromSeq
        self.role = role
        self.name = name
    }
}

/// Who may write: a pure function of the genesis author and the set of membership facts.
public struct MembershipState: Sendable, Equatable {
    /// Each key's current standing: its latest role and name, and its revocation cut-off.
    public var members: [String: Member]
    /// Each key's roles by its own seq, ascending by `fromSeq`: authority is judged at the
    /// time of the act, so what a key signed keeps the role it was signed under.
    public var periods: [String: [RolePeriod]]
    /// Membership events that have no effect (their signer was not an admin for them).
    public var invalidFacts: Set<String>
    /// Keys that signed two events at one seq, with the lowest such seq: from there on
    /// nothing the key signed counts, on any node (`ForkRule`).
    public var forkedAt: [String: Int]

    public init(
        members: [String: Member], periods: [String: [RolePeriod]], invalidFacts: Set<String>, forkedAt: [String: Int] = [:]
    ) {
        self.members = members
        self.periods = periods
        self.invalidFacts = invalidFacts
        self.forkedAt = forkedAt
    }

    /// Why `author`'s event at `seq` does not count, as a sentence, or nil when it counts.
    public func refusal(_ author: String, seq: Int) -> String? {
        if let fork = forkedAt[author], seq >= fork { return ForkRule.reason(author, forkSeq: fork) }
        switch authorize(author, seq: seq) {
        case .valid: return nil
        case .notMember: return "\(author) is not a member"
        case .revoked(let n): return "\(author) was revoked after seq \(n)"
        }
    }

    public func authorize(_ author: String, seq: Int) -> Authorization {
        guard let m = members[author] else { return .notMember }
        if let cut = m.validThroughSeq, seq > cut { return .revoked(validThroughSeq: cut) }
        guard let p = periods[author]?.last(where: { $0.fromSeq <= seq }) else { return .notMember }
        return .valid(p.role)
    }

    /// How many events past its revocation's cut-off a key may leave, stored as invalid
    /// evidence (what it signed after its revocation shows on every node). The bound is by
    /// seq, so every node that knows the revocation decides alike; later events are refused,
    /// and no node sends them: a revoked key, perhaps a stolen one, cannot fill disks.
    public static let maxEventsBeyondRevocation = 16

    /// The last seq of `author`'s a node stores: its cut-off plus the evidence it may leave,
    /// for a revoked key; nil (no bound) for any other.
    public func keptThrough(_ author: String) -> Int? {
        members[author]?.validThroughSeq.map { $0 + Self.maxEventsBeyondRevocation }
    }

    /// Keys that are admins for their next events: not revoked, latest role admin.
    public var activeAdmins: [Member] {
        members.values.filter { $0.validThroughSeq == nil && $0.role == .admin }.sorted { $0.key < $1.key }
    }

    public static func fold(genesisAuthor: String?, facts: [MembershipFact], forks: [String: Int] = [:]) -> MembershipState {
        Membership.fold(genesisAuthor: genesisAuthor, facts: facts, forks: forks)
    }
}

/// What a fork means (issue: honest nodes agree after any misbehaviour they have all seen).
///
/// A key that signs two different events with one seq has forked its chain at that seq.
/// Which branch a node saw first depends on the order of arrival, so neither branch may
/// decide anything: from the lowest seq at which a key is known to fork, none of its
/// events count, on either branch, on any node; the fork acts as a revocation of the key
/// through the seq before it (and bounds the evidence kept past it as a revocation does,
/// `MembershipState.maxEventsBeyondRevocation`). What it signed before the fork keeps its
/// effect. Every node that holds the evidence (both events at that seq; a sync exchanges
/// it) applies the same cut, so nodes that have seen the same events show the same records.
public enum ForkRule {
    /// The cut-off a fork at `forkSeq` sets: the last seq that still counts.
    public static func cut(forkSeq: Int) -> Int { forkSeq - 1 }

    /// The lowest fork seq per key, from `(author, seq)` pairs of fork evidence.
    public static func forkPoints(_ evidence: [(author: String, seq: Int)]) -> [String: Int] {
        var out: [String: Int] = [:]
        for e in evidence { out[e.author] = min(out[e.author] ?? .max, e.seq) }
        return out
    }

    public static func reason(_ author: String, forkSeq: Int) -> String {
        "\(author) signed two events with seq \(forkSeq): from that seq on nothing it signed counts (`accord forks` shows the evidence)"
    }
}

/// The membership fold (Docs/security.md, "Membership").
///
/// - A grant gives a key a role for its events from `fromSeq` on; a revocation ends the
///   key's membership after `validThroughSeq`, for good (the lowest cut-off wins, and no
///   grant lifts it). A role change is a grant with a later `fromSeq`: the key's earlier
///   events, and what they granted or revoked, keep the authority they were signed with.
/// - Two grants of one key from the same seq: the later in causal order wins (last
///   writer wins, as for fields; a re-grant of a key that has not signed yet upgrades it).
/// - A fact counts when its signer is an admin for that fact's seq. Facts are applied in
///   causal order (each author's facts by seq; across authors by time, then id), each
///   checked against what the facts before it established; then any fact whose signer the
///   final state does not make an admin for it is dropped and the fold runs again until
///   nothing changes. The dropped set only grows, so this ends, and the result depends
///   only on the set of facts, never on their arrival order.
public enum Membership {
    public static func fold(genesisAuthor: String?, facts: [MembershipFact], forks: [String: Int] = [:]) -> MembershipState {
        let ordered = causalOrder(facts)
        var excluded: Set<String> = []
        while true {
            var book = Book(genesisAuthor: genesisAuthor)
            for (key, seq) in forks { book.cuts[key] = min(book.cuts[key] ?? .max, ForkRule.cut(forkSeq: seq)) }
            var applied: [MembershipFact] = []
            for f in ordered where !excluded.contains(f.id) {
                guard book.role(f.author, seq: f.seq) == .admin else { continue }
                switch f.event {
                case .granted(let key, let role, let name, let from):
                    book.grant(key.text, RolePeriod(fromSeq: from, role: role, name: name))
                case .revoked(let key, let through):
                    // Revoking a non-member changes nothing, but the fact is a valid act.
                    if book.periods[key.text] != nil { book.cuts[key.text] = min(book.cuts[key.text] ?? .max, through) }
                case .redacted: continue
                }
                applied.append(f)
            }
            let state = book.state(invalidFacts: Set(facts.map(\.id)).subtracting(applied.map(\.id)), forkedAt: forks)
            let dropped = applied.filter { state.authorize($0.author, seq: $0.seq) != .valid(.admin) }
            if dropped.isEmpty { return state }
            excluded.formUnion(dropped.map(\.id))
        }
    }

    /// Time then id, except that one author's facts always keep their seq order (a grant
    /// and a later revocation by the same admin end revoked, whatever their times say).
    static func causalOrder(_ facts: [MembershipFact]) -> [MembershipFact] {
        var ordered = facts.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        var slots: [String: [Int]] = [:]
        for (k, f) in ordered.enumerated() { slots[f.author, default: []].append(k) }
        for positions in slots.values where positions.count > 1 {
            let bySeq = positions.map { ordered[$0] }.sorted { ($0.seq, $0.id) < ($1.seq, $1.id) }
            for (slot, f) in zip(positions, bySeq) { ordered[slot] = f }
        }
        return ordered
    }

    /// Grants and cut-offs so far, per key.
    struct Book {
        var periods: [String: [RolePeriod]] = [:]
        var cuts: [String: Int] = [:]

        init(genesisAuthor: String?) {
            if let g = genesisAuthor { periods[g] = [RolePeriod(fromSeq: 1, role: .admin, name: "dataset creator")] }
        }

        /// Keeps periods sorted by `fromSeq`; a later grant from the same seq replaces the earlier.
        mutating func grant(_ key: String, _ p: RolePeriod) {
            var list = periods[key] ?? []
            list.removeAll { $0.fromSeq == p.fromSeq }
            list.append(p)
            list.sort { $0.fromSeq < $1.fromSeq }
            periods[key] = list
        }

        func role(_ key: String, seq: Int) -> MemberRole? {
            if let cut = cuts[key], seq > cut { return nil }
            return periods[key]?.last(where: { $0.fromSeq <= seq })?.role
        }

        func state(invalidFacts: Set<String>, forkedAt: [String: Int]) -> MembershipState {
            var members: [String: Member] = [:]
            for (key, list) in periods {
                let last = list.last!
                members[key] = Member(key: key, role: last.role, name: last.name, validThroughSeq: cuts[key])
            }
            return MembershipState(members: members, periods: periods, invalidFacts: invalidFacts, forkedAt: forkedAt)
        }
    }
}
