public import Crypto
public import Foundation

/// A verifier key of a C2SP signed note: a name, the 4-byte key ID and an Ed25519 public key,
/// for note signatures (type 0x01) or timestamped witness cosignatures (type 0x04,
/// c2sp.org/tlog-cosignature). Its text form is `name+hex(keyID)+base64(type ‖ key)`.
public struct NoteVerifier: Sendable, Hashable, CustomStringConvertible {
    public static let ed25519: UInt8 = 0x01
    public static let cosignature: UInt8 = 0x04

    public let name: String
    public let type: UInt8
    public let publicKey: [UInt8]
    public let keyID: UInt32

    public init(name: String, publicKey: [UInt8], type: UInt8 = NoteVerifier.ed25519) throws(NoteError) {
        guard SignedNote.isKeyName(name) else { throw NoteError("a key name is non-empty, without spaces or \"+\"") }
        guard publicKey.count == 32, type == Self.ed25519 || type == Self.cosignature else {
            throw NoteError("a verifier key is an Ed25519 key for notes (0x01) or cosignatures (0x04)")
        }
        self.name = name
        self.type = type
        self.publicKey = publicKey
        keyID = Self.keyID(name: name, type: type, publicKey: publicKey)
    }

    /// SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.
    public static func keyID(name: String, type: UInt8, publicKey: [UInt8]) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, type] + publicKey))
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads `name+keyhash+base64(type ‖ key)`; the key hash must be the key's.
    public init(vkey: String) throws(NoteError) {
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
            let raw = Data(base64Encoded: String(parts[2])), raw.count == 33
        else { throw NoteError("a verifier key is name+keyhash+base64(type ‖ key)") }
        try self.init(name: String(parts[0]), publicKey: Array(raw.dropFirst()), type: raw.first!)
        guard keyID == id else { throw NoteError("the verifier key's hash \(parts[1]) is not its key's") }
    }

    public var vkey: String { "\(name)+\(Self.hex(keyID))+\(Data([type] + publicKey).base64EncodedString())" }
    public var description: String { vkey }

    static func hex(_ id: UInt32) -> String {
        let s = String(id, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    /// Whether `signature` (without its key ID) is this key's over `text`; for a cosignature
    /// it is the timestamp and the signature over `cosignature/v1`, the time and the text.
    func verifies(_ signature: [UInt8], text: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        switch type {
        case Self.ed25519:
            return signature.count == 64 && key.isValidSignature(signature, for: text)
        default:
            guard signature.count == 72 else { return false }
            let time = signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard time < 1 << 63 else { return false }
            return key.isValidSignature(Array(signature.dropFirst(8)), for: Cosignature.message(time: time, text: text))
        }
    }
}

/// Who signs notes: a name and an Ed25519 key, as note signer (checkpoints) or as witness
/// (cosignatures).
public struct NoteSigner: Sendable {
    public let key: SigningKey
    public let verifier: NoteVerifier

    public init(name: String, key: SigningKey, type: UInt8 = NoteVerifier.ed25519) throws(NoteError) {
        self.key = key
        verifier = try NoteVerifier(name: name, publicKey: key.author.raw, type: type)
    }

    /// Reads Go's `PRIVATE+KEY+name+keyhash+base64(0x01 ‖ seed)` form.
    public init(skey: String) throws(NoteError) {
        let parts = skey.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let raw = Data(base64Encoded: String(parts[4])),
            raw.count == 33, raw.first == NoteVerifier.ed25519, let key = try? SigningKey(seed: Array(raw.dropFirst()))
        else { throw NoteError("a signer key is PRIVATE+KEY+name+keyhash+base64(0x01 ‖ seed)") }
        try self.init(name: String(parts[2]), key: key)
        guard NoteVerifier.hex(verifier.keyID) == parts[3] else { throw NoteError("the signer key's hash is not its key's") }
    }

    /// The signature line's payload for `text` (a cosignature at `time`).
    public func signature(over text: [UInt8], time: UInt64? = nil) -> SignedNote.Signature {
        var bytes: [UInt8]
        if verifier.type == NoteVerifier.cosignature {
            let t = time ?? UInt64(Date().timeIntervalSince1970)
            bytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: t >> (8 * UInt64($0))) }
            bytes += key.sign(Cosignature.message(time: t, text: text))
        } else {
            bytes = Array(key.sign(text))
        }
        return SignedNote.Signature(name: verifier.name, keyID: verifier.keyID, bytes: bytes)
    }
}

/// c2sp.org/tlog-cosignature v1, Ed25519: what a witness signs.
public enum Cosignature {
    public static func message(time: UInt64, text: [UInt8]) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n".utf8) + text
    }

    /// The time a cosignature was made (its first 8 bytes), if it is one.
    public static func time(of s: SignedNote.Signature) -> UInt64? {
        guard s.bytes.count == 72 else { return nil }
        return s.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}

/// A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, and
/// signature lines `— name base64(keyID ‖ signature)`.
public struct SignedNote: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public let name: String
        public let keyID: UInt32
        public let bytes: [UInt8]

        public init(name: String, keyID: UInt32, bytes: [UInt8]) {
            self.name = name
            self.keyID = keyID
            self.bytes = bytes
        }

        public var line: String {
            let id = (0..<4).reversed().map { UInt8(truncatingIfNeeded: keyID >> (8 * UInt32($0))) }
            return "— \(name) \(Data(id + bytes).base64EncodedString())\n"
        }
    }

    /// The most signatures a note may carry (the spec asks verifiers to accept at least 16).
    public static let maxSignatures = 100
    /// The largest note read.
    public static let maxBytes = 1 << 16

    public var text: String
    public var signatures: [Signature]

    public init(text: String, signatures: [Signature] = []) {
        self.text = text
        self.signatures = signatures
    }

    public var bytes: [UInt8] { Array((text + "\n" + signatures.map(\.line).joined()).utf8) }

    static func isKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("+") && !name.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// Reads a note: valid UTF-8, no control characters but newlines, the text separated from
    /// at least one well-formed signature line by the last blank line.
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard bytes.count <= Self.maxBytes else { throw NoteError("a note is at most \(Self.maxBytes) bytes") }
        guard let whole = String(validating: bytes, as: UTF8.self) else { throw NoteError("a note is UTF-8") }
        guard !whole.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw NoteError("a note holds no control characters but newlines")
        }
        guard whole.hasSuffix("\n"), let split = whole.range(of: "\n\n", options: .backwards) else {
            throw NoteError("a note is text, a blank line and signature lines")
        }
        text = String(whole[..<split.lowerBound]) + "\n"
        let lines = whole[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard !lines.isEmpty, lines.count <= Self.maxSignatures else {
            throw NoteError("a note has 1 to \(Self.maxSignatures) signatures")
        }
        signatures = try lines.map { line throws(NoteError) in
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "—", Self.isKeyName(String(parts[1])), let raw = Data(base64Encoded: String(parts[2])),
                raw.count > 4
            else { throw NoteError("a signature line is \"— name base64(keyID ‖ signature)\"") }
            let id = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return Signature(name: String(parts[1]), keyID: id, bytes: Array(raw.dropFirst(4)))
        }
    }

    /// Signs `text` (ending in a newline) with each signer.
    public static func sign(text: String, with signers: [NoteSigner], time: UInt64? = nil) -> SignedNote {
        let bytes = Array(text.utf8)
        return SignedNote(text: text, signatures: signers.map { $0.signature(over: bytes, time: time) })
    }

    /// The known keys whose signatures on this note verify. A signature from a known key (name
    /// and key ID) that fails rejects the note, as does a note no known key signed; signatures
    /// from unknown keys are ignored.
    public func verified(by known: [NoteVerifier]) throws(NoteError) -> [NoteVerifier] {
        let text = Array(self.text.utf8)
        var ok: [NoteVerifier] = []
        for s in signatures {
            guard let v = known.first(where: { $0.name == s.name && $0.keyID == s.keyID }) else { continue }
            guard v.verifies(s.bytes, text: text) else { throw NoteError("the signature of \(s.name) does not verify") }
            if !ok.contains(v) { ok.append(v) }
        }
        guard !ok.isEmpty else { throw NoteError("no known key signed the note") }
        return ok
    }
}

/// A note that cannot be read or does not verify, with why.
public struct NoteError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A C2SP checkpoint (c2sp.org/tlog-checkpoint): the note text `origin`, tree size, base64
/// root hash, then optional extension lines.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int
    public var root: Merkle.Hash
    public var extensions: [String]

    public init(origin: String, size: Int, root: Merkle.Hash, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    public var text: String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).map { $0 + "\n" }.joined()
    }

    public init(text: String) throws(NoteError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, !lines[0].isEmpty, let size = Int(lines[1]), size >= 0,
            String(size) == lines[1], let root = Data(base64Encoded: String(lines[2])), root.count == 32
        else { throw NoteError("a checkpoint is origin, tree size and base64 root hash, one per line") }
        let extensions = lines.dropFirst(3).dropLast().map(String.init)
        guard !extensions.contains(where: \.isEmpty) else { throw NoteError("a checkpoint's extension lines are not empty") }
        self.init(origin: String(lines[0]), size: size, root: Array(root), extensions: extensions)
    }
}
