public import Foundation

/// A witness (c2sp.org/tlog-witness): it co-signs a log's checkpoint only when the checkpoint
/// is consistent with the latest one it verified of that log, so a log cannot show two
/// histories to two parties who each ask a witness. Pure: the caller loads what is held and
/// stores what is decided.
public enum Witness {
    /// The name an Accord node co-signs under: `accord/witness/<first 16 hex of its key>`.
    public static func name(of key: AuthorKey) -> String { "accord/witness/\(Hex.encode(key.raw.prefix(8)))" }

    /// The node's witness key as a signer of cosignatures (type 0x04).
    public static func signer(_ key: SigningKey) -> NoteSigner {
        // The name is made here, so it is always a key name.
        try! NoteSigner(name: name(of: key.author), key: key, type: NoteVerifier.cosignature)
    }

    /// An `add-checkpoint` request: the size of the checkpoint the log believes the witness
    /// holds, the consistency proof from it, and the new checkpoint (a signed note).
    public struct AddCheckpoint: Sendable, Equatable {
        public var oldSize: Int
        public var proof: [Merkle.Hash]
        public var note: [UInt8]

        public init(oldSize: Int, proof: [Merkle.Hash], note: [UInt8]) {
            self.oldSize = oldSize
            self.proof = proof
            self.note = note
        }

        /// `old <size>\n`, a base64 hash per line, a blank line, then the note.
        public var body: [UInt8] {
            Array(("old \(oldSize)\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined() + "\n").utf8) + note
        }

        public init(parsing body: [UInt8]) throws(NoteError) {
            guard body.count <= SignedNote.maxBytes + 8 * 1024 else { throw NoteError("an add-checkpoint request is at most 72 KiB") }
            guard let split = body.indices.dropLast().first(where: { body[$0] == 0x0A && body[$0 + 1] == 0x0A }) else {
                throw NoteError("an add-checkpoint request is `old N`, proof lines, a blank line and the checkpoint")
            }
            let head = String(decoding: body[..<split], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            guard let first = head.first, first.hasPrefix("old "), let size = Int(first.dropFirst(4)), size >= 0,
                String(size) == first.dropFirst(4), head.count - 1 <= 63
            else { throw NoteError("an add-checkpoint request starts with `old N` and holds at most 63 proof hashes") }
            var proof: [Merkle.Hash] = []
            for line in head.dropFirst() {
                guard let raw = Data(base64Encoded: String(line)), raw.count == 32 else { throw NoteError("a proof line is a base64 hash") }
                proof.append(Array(raw))
            }
            self.init(oldSize: size, proof: proof, note: Array(body[(split + 2)...]))
        }
    }

    /// What a witness answers.
    public enum Decision: Sendable, Equatable {
        /// Co-sign, and hold the new checkpoint.
        case cosign
        /// 409: the witness holds another size of this log (the log should retry from it).
        case conflict(heldSize: Int)
        /// 422: the proof does not show the new checkpoint extends the one held.
        case inconsistent(String)
        /// 400: the request contradicts itself.
        case malformed(String)
    }

    /// The decision on `new` (its signature already checked by the log's pinned key), given
    /// the checkpoint held of the same log, the old size the request names and its proof.
    public static func decide(held: Checkpoint?, oldSize: Int, proof: [Merkle.Hash], new: Checkpoint) -> Decision {
        guard oldSize <= new.size else { return .malformed("the old size \(oldSize) is beyond the checkpoint's \(new.size)") }
        let sameOrigin = held?.origin == new.origin
        let expected = sameOrigin ? held?.size ?? 0 : 0
        if let held, !sameOrigin, case .inconsistent(let why) = PeerLogJudge.judge(held: held, new: new, proof: nil) {
            return .inconsistent(why)
        }
        guard oldSize == expected else { return .conflict(heldSize: expected) }
        guard sameOrigin, let held else {
            return proof.isEmpty ? .cosign : .malformed("a checkpoint of a log the witness holds nothing of comes without a proof")
        }
        if case .inconsistent(let why) = PeerLogJudge.judge(held: held, new: new, proof: proof) { return .inconsistent(why) }
        if held.size == new.size, !proof.isEmpty { return .malformed("the same size comes without a proof") }
        return .cosign
    }
}

/// Which witnesses a client requires on a peer's checkpoint, how many, and how fresh their
/// latest cosignature must be (a checkpoint no witness saw lately is a frozen view).
public struct WitnessPolicy: Sendable, Equatable {
    public var witnesses: [NoteVerifier]
    public var quorum: Int
    public var maxAge: TimeInterval

    public init(witnesses: [NoteVerifier], quorum: Int, maxAge: TimeInterval = 3600) {
        self.witnesses = witnesses
        self.quorum = quorum
        self.maxAge = maxAge
    }

    /// A cosignature up to this far ahead of the client's clock is taken (clocks differ).
    public static let futureSkew: TimeInterval = 300

    /// Nil when the note carries valid cosignatures of `quorum` of the witnesses made within
    /// `maxAge` of `now`, else why not. A cosignature of a listed witness that does not verify
    /// (forged, or made over another checkpoint: replayed) refuses the note.
    public func refusal(_ note: SignedNote, now: Date) -> String? {
        guard quorum > 0 else { return nil }
        let verified: [NoteVerifier]
        do {
            verified = try note.verified(by: witnesses)
        } catch {
            if error.description.hasPrefix("no known key") {
                return "no witness this node requires co-signed it (\(quorum) of \(witnesses.count) required)"
            }
            return "a witness cosignature on it does not verify (forged, or made over another checkpoint)"
        }
        var fresh = 0
        var oldest: UInt64?
        for v in verified {
            let times = note.signatures.filter { $0.name == v.name && $0.keyID == v.keyID }.compactMap(Cosignature.time(of:))
            guard let t = times.max() else { continue }
            let age = now.timeIntervalSince1970 - Double(t)
            if age <= maxAge && age >= -Self.futureSkew { fresh += 1 } else { oldest = min(oldest ?? t, t) }
        }
        guard fresh >= quorum else {
            let when =
                oldest.map { " (the latest was made at \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0)))))" }
                ?? ""
            return "only \(fresh) of the \(quorum) witnesses required co-signed it within \(Int(maxAge)) s\(when): a frozen view?"
        }
        return nil
    }
}
