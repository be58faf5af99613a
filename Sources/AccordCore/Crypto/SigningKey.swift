import CSodium
public import Crypto
public import Foundation

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
