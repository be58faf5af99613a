/// A random salt inside a curation event's body (docs/protocol.md, "Salted bodies").
///
/// `bodyHash` is the SHA-256 of the body, and the envelope (which holds it) outlives a
/// redaction. Without a salt, anyone holding the envelope could confirm a guess of a short
/// erased text (a phone number, a name) by hashing candidate bodies. With 128 random bits
/// in the body, the erased body cannot be guessed. Events without a salt stay valid.
public enum BodySalt {
    /// The body member that holds the salt.
    public static let key = "salt"

    /// 16 bytes from the system's cryptographic generator, base64url (22 characters).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        return Base64URL.encode(bytes)
    }

    /// 16 to 64 base64url characters: what a node accepts in `body.salt`.
    public static func isWellFormed(_ salt: String) -> Bool {
        (16...64).contains(salt.utf8.count)
            && salt.utf8.allSatisfy { c in
                (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
            }
    }
}

extension EventDraft {
    /// This draft with a salt in its body when it is a curation event (the bodies a
    /// redaction may erase) whose body has none yet; any other draft unchanged.
    /// Genesis, membership and redaction events are never erased, so they carry none.
    public func salted(_ salt: @autoclosure () -> String = BodySalt.random()) -> EventDraft {
        guard DomainEvent.isDomainType(type), case .object(var members) = body, members[BodySalt.key] == nil else { return self }
        members[BodySalt.key] = .string(salt())
        var out = self
        out.body = .object(members)
        return out
    }
}
