/// A member's role in a dataset.
public enum MemberRole: String, Sendable, CaseIterable, Codable {
    case admin, editor
}

/// The events that decide who may write, and redaction. Typed like `DomainEvent`.
public enum AuthorizationEvent: Sendable, Hashable {
    /// The role applies to the key's events from its seq `fromSeq` on (1: all of them).
    case granted(key: AuthorKey, role: MemberRole, name: String, fromSeq: Int = 1)
    case revoked(key: AuthorKey, validThroughSeq: Int)
    case redacted(target: String, reason: String)

    public enum Kind: String, CaseIterable, Sendable {
        case granted = "member.granted"
        case revoked = "member.revoked"
        case redacted = "event.redacted"
    }

    public static func isAuthorizationType(_ type: String) -> Bool { Kind(rawValue: type) != nil }

    public var kind: Kind {
        switch self {
        case .granted: return .granted
        case .revoked: return .revoked
        case .redacted: return .redacted
        }
    }

    public init(type: String, schema: Int, subject: String?, body: JSONValue) throws(DomainError) {
        guard let kind = Kind(rawValue: type) else { throw DomainError("\(type) is not an authorization event") }
        guard schema == 1 else { throw DomainError("\(type) schema \(schema) is not known (known: 1)") }
        guard case .object(let b) = body else { throw DomainError("\(type) body must be an object") }
        func key() throws(DomainError) -> AuthorKey {
            guard let text = b["key"]?.stringValue else { throw DomainError("\(type) body.key is missing") }
            let k: AuthorKey
            do {
                k = try AuthorKey(parsing: text)
            } catch {
                throw DomainError(error.message)
            }
            guard subject == text else { throw DomainError("\(type) subject must be the member key") }
            return k
        }
        switch kind {
        case .granted:
            let k = try key()
            guard let r = b["role"]?.stringValue, let role = MemberRole(rawValue: r) else {
                throw DomainError("member.granted body.role must be admin or editor")
            }
            guard let name = b["name"]?.stringValue?.trimmingSpacesAndNewlines(), (1...200).contains(name.count) else {
                throw DomainError("member.granted body.name must be 1 to 200 characters")
            }
            var from = 1
            if let f = b["fromSeq"] {
                guard let n = f.intValue, n >= 2 else {
                    throw DomainError("member.granted body.fromSeq must be an integer >= 2 (absent means 1)")
                }
                from = n
            }
            self = .granted(key: k, role: role, name: name, fromSeq: from)
        case .revoked:
            let k = try key()
            guard let seq = b["validThroughSeq"]?.intValue, seq >= 0 else {
                throw DomainError("member.revoked body.validThroughSeq must be an integer >= 0")
            }
            self = .revoked(key: k, validThroughSeq: seq)
        case .redacted:
            guard let target = b["target"]?.stringValue, Hex.isSHA256(target), subject == target else {
                throw DomainError("event.redacted body.target must be an event id, equal to the subject")
            }
            guard let reason = b["reason"]?.stringValue?.trimmingSpacesAndNewlines(), !reason.isEmpty,
                reason.utf8.count <= 2000
            else { throw DomainError("event.redacted body.reason must be 1 to 2000 bytes") }
            self = .redacted(target: target, reason: reason)
        }
    }

    public var draft: EventDraft {
        switch self {
        case .granted(let key, let role, let name, let from):
            var body: [String: JSONValue] = ["key": .string(key.text), "role": .string(role.rawValue), "name": .string(name)]
            if from > 1 { body["fromSeq"] = .int(from) }
            return EventDraft(type: Kind.granted.rawValue, subject: key.text, body: .object(body))
        case .revoked(let key, let seq):
            return EventDraft(
                type: Kind.revoked.rawValue, subject: key.text, body: ["key": .string(key.text), "validThroughSeq": .int(seq)])
        case .redacted(let target, let reason):
            return EventDraft(type: Kind.redacted.rawValue, subject: target, body: ["target": .string(target), "reason": .string(reason)])
        }
    }
}

/// Which events a redaction may erase. Genesis and membership events say who may write:
/// every node must read them whole, so a redaction of one is stored (its signer's chain
/// stays whole) and never takes effect. A redaction is judged only once its target is
/// known; until the target arrives it is held, so the order of arrival decides nothing.
public enum RedactionRule {
    public static func mayErase(targetType: String) -> Bool {
        targetType != Envelope.genesisType && !AuthorizationEvent.isAuthorizationType(targetType)
    }
}
