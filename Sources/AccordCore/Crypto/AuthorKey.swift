import CSodium
public import Crypto
public import Foundation

/// An author's public key in its textual form: `ed25519:` + base64url (no padding)
/// of the 32 raw key bytes.
public struct AuthorKey: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "ed25519:"
    public let text: String
    public let key: Curve25519.Signing.PublicKey
    /// The 32 raw key bytes.
    public let raw: [UInt8]

    /// Parses the textual form, or explains what is wrong with it.
    public init(parsing text: String) throws(EventRejection) {
        guard text.hasPrefix(AuthorKey.prefix) else {
            throw EventRejection(.malformedAuthor, "author \"\(text.prefix(80))\" must start with \"ed25519:\"")
        }
        guard let raw = Base64URL.decode(String(text.dropFirst(AuthorKey.prefix.count))), raw.count == 32 else {
            throw EventRejection(
                .malformedAuthor, "author \"\(text.prefix(80))\" is not base64url (no padding) of a 32-byte Ed25519 key")
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw EventRejection(.malformedAuthor, "author \"\(text.prefix(80))\" is not a valid Ed25519 public key")
        }
        self.text = text
        self.key = key
        self.raw = [UInt8](raw)
    }

    public init(_ key: Curve25519.Signing.PublicKey) {
        self.key = key
        self.raw = [UInt8](key.rawRepresentation)
        self.text = AuthorKey.prefix + Base64URL.encode(key.rawRepresentation)
    }

    /// Verifies an Ed25519 signature over `message` (RFC 8032), with libsodium.
    public func verify(signature: Data, over message: [UInt8]) -> Bool {
        guard signature.count == 64, Sodium.ready else { return false }
        let sig = [UInt8](signature)
        return crypto_sign_verify_detached(sig, message, UInt64(message.count), raw) == 0
    }

    /// The same check with swift-crypto (BoringSSL): the reference verifier of the stack.
    public func verifyWithSwiftCrypto(signature: Data, over message: [UInt8]) -> Bool {
        key.isValidSignature(signature, for: message)
    }

    public var description: String { text }
    public static func == (a: AuthorKey, b: AuthorKey) -> Bool { a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(text) }
}

/// libsodium must be initialised once before use; `sodium_init` is thread-safe.
enum Sodium {
    static let ready: Bool = sodium_init() >= 0
}
