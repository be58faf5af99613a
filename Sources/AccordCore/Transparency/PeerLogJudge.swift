/// The name of a node's transparency log, `accord/<dataset16>/<node16>/e<epoch>`: one node's
/// log (its family) in one epoch. A restore through Accord starts the next epoch.
public struct LogOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `accord/<dataset16>/<node16>`: the node's log across its epochs.
    public let family: String
    public let epoch: Int
    /// The first 16 hex digits of the signing node's public key.
    public let node: String

    public init(parsing origin: String) throws(NoteError) {
        let parts = origin.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "accord", parts[1].count == 16, parts[2].count == 16,
            parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit), parts[3].first == "e",
            parts[3].count <= 10, let epoch = Int(parts[3].dropFirst()), epoch >= 1, parts[3].dropFirst().first != "0"
        else { throw NoteError("\(TerminalText.oneLine(String(origin.prefix(120)))) is not an Accord log origin (accord/DATASET/NODE/eN)") }
        family = parts[0...2].joined(separator: "/")
        self.epoch = epoch
        node = String(parts[2])
    }

    public var description: String { "\(family)/e\(epoch)" }
}

/// What a client makes of a peer's new checkpoint, given the one it verified before from
/// the same node's log (Docs/transparency.md, "Clients check"). Pure: the caller fetched the
/// checkpoint (its signature already verified) and, when `proofNeeded` asked, the proof.
public enum PeerLogJudge {
    public enum Verdict: Sendable, Equatable {
        /// The first checkpoint seen of this log: held from now on (trust on first use).
        case first
        /// The same tree as held.
        case unchanged
        /// A larger tree, proved to extend the held one.
        case grew(from: Int)
        /// The node restored a backup through Accord and started a new epoch: announced,
        /// not an attack (what it lost is pushed back by the sync).
        case newEpoch(from: Int, heldSize: Int)
        /// The log's history was rewritten, or it goes back: evidence.
        case inconsistent(String)

        public var isEvidence: Bool { if case .inconsistent = self { true } else { false } }
    }

    /// The consistency proof to ask the peer for (held size to new size), nil when none is needed.
    public static func proofNeeded(held: Checkpoint?, new: Checkpoint) -> (from: Int, to: Int)? {
        guard let held, held.origin == new.origin, held.size >= 1, new.size > held.size else { return nil }
        return (held.size, new.size)
    }

    /// The verdict on `new` given `held` (both of one log family) and the proof asked for.
    public static func judge(held: Checkpoint?, new: Checkpoint, proof: [Merkle.Hash]?) -> Verdict {
        guard let held else { return .first }
        guard let h = try? LogOrigin(parsing: held.origin), let n = try? LogOrigin(parsing: new.origin), h.family == n.family else {
            return .inconsistent("checkpoints of two different logs (\(held.origin), \(new.origin)) compared")
        }
        if n.epoch > h.epoch { return .newEpoch(from: h.epoch, heldSize: held.size) }
        if n.epoch < h.epoch {
            return .inconsistent(
                "it signs epoch \(n.epoch) after this node verified epoch \(h.epoch) at size \(held.size): an older database is serving")
        }
        if new.size < held.size {
            return .inconsistent(
                "its tree went back from \(held.size) to \(new.size) events in one epoch: a database copied back from a backup?")
        }
        if new.size == held.size {
            return new.root == held.root ? .unchanged : .inconsistent("two different trees of \(new.size) events in one epoch")
        }
        if held.size == 0 { return .grew(from: 0) }
        guard let proof,
            (try? Merkle.verifyConsistency(size1: held.size, size2: new.size, proof: proof, root1: held.root, root2: new.root)) != nil
        else {
            return .inconsistent(
                "its tree of \(new.size) events does not extend the tree of \(held.size) this node verified before (the consistency proof fails): "
                    + "its history was rewritten")
        }
        return .grew(from: held.size)
    }
}

/// A peer's checkpoint as read and checked: its note, its tree head, its origin and the key
/// that signed it.
public struct PeerCheckpoint: Sendable, Equatable {
    public let note: SignedNote
    public let checkpoint: Checkpoint
    public let origin: LogOrigin
    public let verifier: NoteVerifier

    /// Reads a checkpoint note and the verifier key the peer serves beside it, and checks
    /// them: the key is an Ed25519 note key named as the checkpoint's origin, the origin names
    /// that key's node, and the key signed the note.
    public init(note bytes: [UInt8], vkey: String) throws(NoteError) {
        let verifier = try NoteVerifier(vkey: vkey.hasSuffix("\n") ? String(vkey.dropLast()) : vkey)
        let note = try SignedNote(parsing: bytes)
        let checkpoint = try Checkpoint(text: note.text)
        let origin = try LogOrigin(parsing: checkpoint.origin)
        guard verifier.type == NoteVerifier.ed25519, verifier.name == checkpoint.origin else {
            throw NoteError("the verifier key (\(TerminalText.oneLine(String(verifier.name.prefix(120))))) is not the checkpoint's origin")
        }
        guard Hex.encode(verifier.publicKey.prefix(8)) == origin.node else {
            throw NoteError("the origin \(origin) names another node than the key that signs for it")
        }
        _ = try note.verified(by: [verifier])
        self.note = note
        self.checkpoint = checkpoint
        self.origin = origin
        self.verifier = verifier
    }
}
