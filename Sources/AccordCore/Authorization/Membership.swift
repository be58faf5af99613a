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

/// Who may write: a pure function of the genesis author and the set of membership facts.
public struct MembershipState: Sendable, Equatable {
    public var members: [String: Member]
    /// Membership events that have no effect (their signer was not an admin for them).
    public var invalidFacts: Set<String>

    public func authorize(_ author: String, seq: Int) -> Authorization {
        guard let m = members[author] else { return .notMember }
        if let cut = m.validThroughSeq, seq > cut { return .revoked(validThroughSeq: cut) }
        return .valid(m.role)
    }

    public static func fold(genesisAuthor: String?, facts: [MembershipFact]) -> MembershipState {
        Membership.fold(genesisAuthor: genesisAuthor, facts: facts)
    }
}

/// The membership fold. Facts are applied in clock order (time, then id), each checked
/// against what the facts before it established; then any fact whose signer's final
/// cut-off excludes it is dropped and the fold runs again, until nothing changes. The
/// dropped set only grows, so this ends, and the result depends only on the set of facts.
public enum Membership {
    public static func fold(genesisAuthor: String?, facts: [MembershipFact]) -> MembershipState {
        let ordered = facts.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        var excluded: Set<String> = []
        while true {
            var members: [String: Member] = [:]
            if let g = genesisAuthor { members[g] = Member(key: g, role: .admin, name: "dataset creator", validThroughSeq: nil) }
            var applied: [MembershipFact] = []
            for f in ordered where !excluded.contains(f.id) {
                guard let signer = members[f.author], signer.role == .admin else { continue }
                if let cut = signer.validThroughSeq, f.seq > cut { continue }
                switch f.event {
                case .granted(let key, let role, let name):
                    var m = members[key.text] ?? Member(key: key.text, role: role, name: name, validThroughSeq: nil)
                    m.role = role
                    m.name = name
                    members[key.text] = m
                case .revoked(let key, let through):
                    if var m = members[key.text] {
                        m.validThroughSeq = min(m.validThroughSeq ?? .max, through)
                        members[key.text] = m
                    } else {
                        members[key.text] = nil
                    }
                case .redacted: continue
                }
                applied.append(f)
            }
            let state = MembershipState(members: members, invalidFacts: Set(facts.map(\.id)).subtracting(applied.map(\.id)))
            // A fact signed beyond its signer's final cut-off, or by a signer who is no longer an admin, has no effect.
            let dropped = applied.filter { f in
                if case .valid(let role) = state.authorize(f.author, seq: f.seq), role == .admin { return false }
                return true
            }
            if dropped.isEmpty { return state }
            excluded.formUnion(dropped.map(\.id))
        }
    }
}
