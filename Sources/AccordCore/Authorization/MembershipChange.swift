/// Whether membership events a key is about to sign do what they say: a pure check run
/// before anything is signed (every path that authors: CLI, API, web).
public enum MembershipChange {
    /// Nil when `proposed` (appended to the facts `before` was folded from, giving `after`)
    /// all count, change the membership, and leave the dataset an admin; else why not.
    public static func refusal(before: MembershipState, after: MembershipState, proposed: [MembershipFact]) -> String? {
        for f in proposed {
            switch f.event {
            case .granted(let key, let role, let name, _):
                if let m = before.members[key.text], let cut = m.validThroughSeq {
                    return "\(key.text) (\(m.name)) was revoked after its seq \(cut), and a revocation is final: "
                        + "make a new key (`accord keygen --out FILE`) and grant that one"
                }
                if let m = before.members[key.text], m.role == role, m.name == name {
                    return "\(key.text) is already an \(role.rawValue) named \"\(name)\": nothing to change"
                }
            case .revoked(let key, let through):
                guard let m = before.members[key.text] else {
                    return "\(key.text) is not a member: there is nothing to revoke"
                }
                if let cut = m.validThroughSeq, cut <= through {
                    return "\(key.text) (\(m.name)) is already revoked after its seq \(cut): nothing to change"
                }
            case .redacted: continue
            }
            if after.invalidFacts.contains(f.id) {
                return
                    "only an admin may grant or revoke: \(f.author) would not be an admin for this event (its seq \(f.seq)), so it would have no effect"
                    + (isSelfRevocation(f)
                        ? "; a key revoking itself must stay valid through that event: --valid-through \(f.seq) or more" : "")
            }
        }
        if after.members == before.members && after.periods == before.periods {
            return "this would not change the membership"
        }
        if after.activeAdmins.isEmpty && !before.activeAdmins.isEmpty {
            return "this would leave the dataset without an admin (nobody could grant, revoke or redact again): "
                + "grant another admin first (`accord grant KEY --role admin --name NAME`), or use `accord rotate` to replace a key"
        }
        return nil
    }

    static func isSelfRevocation(_ f: MembershipFact) -> Bool {
        if case .revoked(let key, _) = f.event { return key.text == f.author }
        return false
    }
}
