public import AccordCore
public import Foundation
import GRDB

/// What this node knows of other nodes' transparency logs: per log (a node's log across its
/// epochs) the latest checkpoint it verified, and the evidence of every inconsistency it
/// found. Node-local, like `peers`: not part of the log, never rebuilt.
enum PeerLogSchema {
    static func v12PeerLogs(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The latest checkpoint verified of each peer's log (family: accord/DATASET/NODE), with
                -- the verifier key first seen for it (pinned).
                CREATE TABLE peer_logs(
                    family TEXT PRIMARY KEY, origin TEXT NOT NULL, size INTEGER NOT NULL, note BLOB NOT NULL, vkey TEXT NOT NULL,
                    peer TEXT NOT NULL, verified_at TEXT NOT NULL
                ) STRICT;
                -- Two signed notes that cannot both be true, and the proof asked for, kept for good.
                CREATE TABLE tlog_evidence(
                    id INTEGER PRIMARY KEY, family TEXT NOT NULL, peer TEXT NOT NULL, detail TEXT NOT NULL, held BLOB NOT NULL,
                    seen BLOB NOT NULL, proof TEXT NOT NULL, found_at TEXT NOT NULL, decided_at TEXT, decision TEXT
                ) STRICT;
                -- Witnesses' cosignatures of this node's own checkpoints (c2sp.org/tlog-cosignature), the
                -- latest per witness and checkpoint.
                CREATE TABLE tlog_cosignatures(
                    origin TEXT NOT NULL, size INTEGER NOT NULL, witness TEXT NOT NULL, key_id INTEGER NOT NULL, signature BLOB NOT NULL,
                    time INTEGER NOT NULL, PRIMARY KEY(origin, size, witness)
                ) STRICT, WITHOUT ROWID;
                CREATE TRIGGER tlog_evidence_no_delete BEFORE DELETE ON tlog_evidence
                BEGIN SELECT RAISE(ABORT, 'evidence is kept'); END;
                CREATE TRIGGER tlog_evidence_decided_once BEFORE UPDATE ON tlog_evidence
                WHEN OLD.decided_at IS NOT NULL OR NEW.held IS NOT OLD.held OR NEW.seen IS NOT OLD.seen OR NEW.proof IS NOT OLD.proof
                    OR NEW.detail IS NOT OLD.detail OR NEW.family IS NOT OLD.family
                BEGIN SELECT RAISE(ABORT, 'evidence is kept as found; it is decided once'); END;
                """)
    }
}

extension PeerLogSchema {
    /// The verifier key of each cosignature kept, so that an auditor's bundle can carry it.
    static func v13WitnessKeys(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE tlog_cosignatures ADD COLUMN vkey TEXT")
    }
}

/// A peer log's latest checkpoint this node verified.
public struct HeldPeerLog: Sendable, Equatable {
    public let family: String
    public let note: SignedNote
    public let checkpoint: Checkpoint
    public let vkey: String
    public let peer: String
    public let verifiedAt: String
}

/// An inconsistency found in a peer's log: what was held, what was seen, the proof, and
/// whether an admin has decided.
public struct LogEvidence: Sendable, Equatable, Codable {
    public let id: Int
    public let family: String
    public let peer: String
    public let detail: String
    /// The checkpoint verified before, and the one that contradicts it (signed notes).
    public let held: String
    public let seen: String
    /// The consistency proof the peer gave (base64 hashes, one per line; empty if none).
    public let proof: String
    public let foundAt: String
    public let decidedAt: String?
    public let decision: String?
}

extension EventLog {
    /// The checkpoint held for a peer's log (`family`), nil before the first.
    public func heldPeerLog(family: String) throws -> HeldPeerLog? {
        try pool.read { db in try Self.heldPeerLog(db, family: family) }
    }

    /// The logs this node holds checkpoints of, by family.
    public func heldPeerLogs() throws -> [HeldPeerLog] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT family FROM peer_logs ORDER BY family").compactMap { try Self.heldPeerLog(db, family: $0) }
        }
    }

    static func heldPeerLog(_ db: Database, family: String) throws -> HeldPeerLog? {
        guard
            let row = try Row.fetchOne(db, sql: "SELECT note, vkey, peer, verified_at FROM peer_logs WHERE family = ?", arguments: [family])
        else { return nil }
        let note = try SignedNote(parsing: Array(row[0] as Data))
        return HeldPeerLog(
            family: family, note: note, checkpoint: try Checkpoint(text: note.text), vkey: row[1], peer: row[2], verifiedAt: row[3])
    }

    /// Holds `seen` as the latest verified checkpoint of its log, if what is held is still
    /// `held` (another sync may have moved it meanwhile: then nothing changes, and false).
    @discardableResult
    public func holdPeerLog(_ seen: PeerCheckpoint, replacing held: HeldPeerLog?, peer: String) throws -> Bool {
        try pool.write { db in
            guard try Self.heldPeerLog(db, family: seen.origin.family)?.note == held?.note else { return false }
            try Self.hold(db, family: seen.origin.family, seen.note, vkey: seen.verifier.vkey, peer: peer)
            return true
        }
    }

    /// The one write of `peer_logs`: `note` becomes the log's latest verified checkpoint; the
    /// pinned key and the peer it came from stay as they were when not given.
    static func hold(_ db: Database, family: String, _ note: SignedNote, vkey: String? = nil, peer: String? = nil) throws {
        let c = try Checkpoint(text: note.text)
        try db.execute(
            sql: """
                INSERT INTO peer_logs(family, origin, size, note, vkey, peer, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(family) DO UPDATE SET origin = excluded.origin, size = excluded.size, note = excluded.note,
                    vkey = coalesce(?, peer_logs.vkey), peer = coalesce(?, peer_logs.peer), verified_at = excluded.verified_at
                """,
            arguments: [
                family, c.origin, c.size, Data(note.bytes), vkey ?? "", peer ?? "", ISO8601DateFormatter().string(from: Date()), vkey, peer,
            ])
    }

    /// Keeps the evidence of an inconsistency; returns its number.
    public func recordEvidence(
        family: String, peer: String, detail: String, held: SignedNote, seen: SignedNote, proof: [Merkle.Hash]
    )
        throws -> Int
    {
        let now = ISO8601DateFormatter().string(from: Date())
        return try pool.write { db in
            try db.execute(
                sql: "INSERT INTO tlog_evidence(family, peer, detail, held, seen, proof, found_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    family, peer, detail, Data(held.bytes), Data(seen.bytes),
                    proof.map { Data($0).base64EncodedString() }.joined(separator: "\n"),
                    now,
                ])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Every piece of evidence, oldest first.
    public func evidence() throws -> [LogEvidence] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, family, peer, detail, held, seen, proof, found_at, decided_at, decision FROM tlog_evidence ORDER BY id"
            ).map {
                LogEvidence(
                    id: $0[0], family: $0[1], peer: $0[2], detail: $0[3], held: String(decoding: $0[4] as Data, as: UTF8.self),
                    seen: String(decoding: $0[5] as Data, as: UTF8.self), proof: $0[6], foundAt: $0[7], decidedAt: $0[8], decision: $0[9])
            }
        }
    }

    /// The undecided evidence against a log (by family) or a peer URL (all of it when neither
    /// is named): while any exists this node does not sync with that log or peer.
    public func openEvidence(family: String? = nil, peer: String? = nil) throws -> [LogEvidence] {
        try evidence().filter { e in
            e.decidedAt == nil && ((family == nil && peer == nil) || e.family == family || e.peer == peer)
        }
    }

    /// An admin's decision on evidence `id`: `trust` holds the checkpoint seen as the log's
    /// from now on (the admin accepts the rewritten history); `dismiss` keeps the held one.
    /// Either way the evidence stays, with the decision.
    public func decideEvidence(id: Int, trustSeen: Bool, by admin: String) throws {
        let now = ISO8601DateFormatter().string(from: Date())
        try pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT family, seen, peer, decided_at FROM tlog_evidence WHERE id = ?", arguments: [id])
            else { throw TransparencyError("there is no evidence #\(id) (`accord evidence` lists it)") }
            guard (row[3] as String?) == nil else { throw TransparencyError("evidence #\(id) was decided already") }
            let decision = (trustSeen ? "trust the checkpoint seen" : "keep the checkpoint held") + " (\(admin))"
            try db.execute(sql: "UPDATE tlog_evidence SET decided_at = ?, decision = ? WHERE id = ?", arguments: [now, decision, id])
            guard trustSeen else { return }
            try Self.hold(db, family: row[0], try SignedNote(parsing: Array(row[1] as Data)))
        }
    }
}
