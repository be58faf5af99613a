import CSodium
import Crypto
import Foundation

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

/// A private signing key. Its bytes never appear in a description, log line or database.
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let author: AuthorKey

    public init(_ privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.author = AuthorKey(privateKey.publicKey)
    }

    /// A fresh random key.
    public static func generate() -> SigningKey { SigningKey(Curve25519.Signing.PrivateKey()) }

    /// A key from a 32-byte seed (test vectors and benchmarks use fixed seeds).
    public init(seed: [UInt8]) throws {
        self.init(try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
    }

    /// A deterministic key for tests and benchmarks: seed = SHA-256 of `label`.
    public static func fixed(_ label: String) -> SigningKey {
        try! SigningKey(seed: Array(SHA256.hash(data: Array(label.utf8))))
    }

    public func sign(_ message: [UInt8]) -> Data {
        try! privateKey.signature(for: message)
    }

    static let fileHeader = "accord-ed25519-private-key-v1:"

    /// The key file's content: one line, header and base64url seed.
    public var fileContents: String { SigningKey.fileHeader + Base64URL.encode(privateKey.rawRepresentation) + "\n" }

    public init(fileContents: String) throws(KeyFileError) {
        let line = fileContents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix(SigningKey.fileHeader),
            let seed = Base64URL.decode(String(line.dropFirst(SigningKey.fileHeader.count))), seed.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else { throw KeyFileError(reason: "not an Accord key file (expected one line \"\(SigningKey.fileHeader)<base64url seed>\")") }
        self.init(key)
    }
}

public struct KeyFileError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}
