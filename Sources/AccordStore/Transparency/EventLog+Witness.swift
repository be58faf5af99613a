public import AccordCore
public import Foundation
import GRDB

/// Witnessing, both ways: this node co-signing other logs' checkpoints (c2sp.org/tlog-witness,
/// its state the `peer_logs` it also checks syncs against), and keeping its witnesses'
/// cosignatures of its own checkpoints to serve on them.
extension EventLog {
    /// What `add-checkpoint` came to: the cosignature line to answer with, or why not.
    public enum WitnessAnswer: Sendable, Equatable {
        case cosigned(SignedNote.Signature)
        case unknownLog(String)
        case badSignature(String)
        case decided(Witness.Decision)
    }

    /// Witnesses `request` for a log this node knows (its key pinned by a sync): checks the
    /// note's signature by that key, decides by `Witness.decide`, and on success holds the new
    /// checkpoint and co-signs it with `key`, in one transaction.
    public func witness(_ request: Witness.AddCheckpoint, key: SigningKey, peer: String, now: Date = Date()) throws -> WitnessAnswer {
        let note: SignedNote
        let checkpoint: Checkpoint
        let origin: LogOrigin
        do {
            note = try SignedNote(parsing: request.note)
            checkpoint = try Checkpoint(text: note.text)
            origin = try LogOrigin(parsing: checkpoint.origin)
        } catch {
            return .decided(.malformed("\(error)"))
        }
        return try pool.write { db in
            guard let held = try Self.heldPeerLog(db, family: origin.family), let pinned = try? NoteVerifier(vkey: held.vkey) else {
                return .unknownLog("this node witnesses only logs it syncs with, and holds no checkpoint of \(origin.family)")
            }
            let seen: PeerCheckpoint
            do {
                seen = try PeerCheckpoint(
                    note: request.note, vkey: try NoteVerifier(name: checkpoint.origin, publicKey: pinned.publicKey).vkey)
            } catch {
                return .badSignature("the checkpoint is not signed by the key of \(origin.family) this node holds: \(error)")
            }
            let decision = Witness.decide(held: held.checkpoint, oldSize: request.oldSize, proof: request.proof, new: checkpoint)
            guard decision == .cosign else { return .decided(decision) }
            try Self.hold(db, family: origin.family, seen.note)
            return .cosigned(Witness.signer(key).signature(over: Array(note.text.utf8), time: UInt64(now.timeIntervalSince1970)))
        }
    }

    /// Keeps the cosignatures on `note` by `witnesses` (the ones this node's policy names) of a
    /// checkpoint this node signed; returns how many it kept. A note this node did not sign, or
    /// a cosignature that does not verify, is refused.
    @discardableResult
    public func addCosignatures(_ note: SignedNote, witnesses: [NoteVerifier]) throws -> Int {
        let checkpoint = try Checkpoint(text: note.text)
        let verified = try note.verified(by: witnesses)
        return try pool.write { db in
            guard
                let mine = try Data.fetchOne(
                    db, sql: "SELECT note FROM tlog_checkpoints WHERE origin = ? AND size = ?",
                    arguments: [checkpoint.origin, checkpoint.size]),
                try SignedNote(parsing: Array(mine)).text == note.text
            else { throw TransparencyError("that is not a checkpoint this node signed") }
            var kept = 0
            for v in verified {
                for s in note.signatures where s.name == v.name && s.keyID == v.keyID {
                    guard let time = Cosignature.time(of: s) else { continue }
                    try db.execute(
                        sql: """
                            INSERT INTO tlog_cosignatures(origin, size, witness, key_id, signature, time, vkey) VALUES (?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT(origin, size, witness) DO UPDATE SET key_id = excluded.key_id, signature = excluded.signature,
                                time = excluded.time, vkey = excluded.vkey WHERE excluded.time > tlog_cosignatures.time
                            """,
                        arguments: [checkpoint.origin, checkpoint.size, s.name, Int64(s.keyID), Data(s.bytes), Int64(time), v.vkey])
                    kept += 1
                }
            }
            return kept
        }
    }

    /// The cosignatures kept of this node's checkpoint at `origin` and `size`.
    public func cosignatures(origin: String, size: Int) throws -> [SignedNote.Signature] {
        try pool.read { db in try Self.cosignatures(db, origin: origin, size: size) }
    }

    static func cosignatures(_ db: Database, origin: String, size: Int) throws -> [SignedNote.Signature] {
        try Row.fetchAll(
            db, sql: "SELECT witness, key_id, signature FROM tlog_cosignatures WHERE origin = ? AND size = ? ORDER BY witness",
            arguments: [origin, size]
        ).map { SignedNote.Signature(name: $0[0], keyID: UInt32(truncatingIfNeeded: $0[1] as Int64), bytes: Array($0[2] as Data)) }
    }

    /// This node's latest checkpoint with its witnesses' cosignatures appended (as served).
    public func servedCheckpoint(_ note: SignedNote) throws -> SignedNote {
        let c = try Checkpoint(text: note.text)
        return SignedNote(text: note.text, signatures: note.signatures + (try cosignatures(origin: c.origin, size: c.size)))
    }
}
