/// What a node knows: for each author, the highest seq it holds (chains have no gaps,
/// so that one number says everything). Its size grows with authors, not events.
public struct VersionVector: Sendable, Hashable, Codable {
    public var heads: [String: Int]

    public init(_ heads: [String: Int] = [:]) { self.heads = heads }

    public subscript(author: String) -> Int { heads[author] ?? 0 }

    /// True when `self` holds events `other` lacks.
    public func isAhead(of other: VersionVector) -> Bool {
        heads.contains { $0.value > other[$0.key] }
    }

    /// Number of events `self` holds beyond `other`.
    public func surplus(over other: VersionVector) -> Int {
        heads.reduce(0) { $0 + max(0, $1.value - other[$1.key]) }
    }

    public var json: JSONValue { .object(heads.mapValues { .int($0) }) }

    public init(json: JSONValue) throws(DomainError) {
        guard case .object(let o) = json else { throw DomainError("a version vector is an object of author -> seq") }
        var h: [String: Int] = [:]
        for (k, v) in o {
            guard k.hasPrefix(AuthorKey.prefix), let n = v.intValue, n >= 0 else {
                throw DomainError("a version vector maps ed25519: keys to seqs >= 0")
            }
            h[k] = n
        }
        heads = h
    }
}

/// What two nodes that synced are expected to agree on, entry by entry.
extension VersionVector {
    /// This vector as far as another node's should equal it: a key whose chains on the two
    /// nodes are apart (`apart`) counts up to its revocation's cut-off when revoked (past it
    /// the branches count on neither node), not at all when this node holds evidence of its
    /// fork (`forked`: reported as a fork), in full otherwise; any other revoked key counts up
    /// to the evidence it may leave (nothing past it is exchanged).
    public func shared(apart: Set<String>, forked: Set<String>, membership: MembershipState) -> VersionVector {
        var out: [String: Int] = [:]
        for (key, seq) in heads {
            if apart.contains(key) {
                if let cut = membership.members[key]?.validThroughSeq {
                    out[key] = min(seq, cut)
                } else if !forked.contains(key) {
                    out[key] = seq
                }
            } else {
                out[key] = min(seq, membership.keptThrough(key) ?? seq)
            }
        }
        return VersionVector(out)
    }
}
