import AccordCore
import Foundation
import GRDB

/// A redaction of an event: who erased its body, when, and why.
public struct Redaction: Sendable, Codable, Equatable {
    public let id: String
    public let target: String
    public let author: String
    public let time: String
    public let reason: String
}

extension EventLog {
    /// The redacted events about `subject` (a record's symbol): each target with its redaction.
    /// Reads the redactions (a partial index) and their targets by id: the cost follows the
    /// number of redactions, not the log's length.
    public func redactedEvents(subject: String) throws -> [(target: StoredEvent, redaction: Redaction)] {
        let targets = try pool.read { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT t.id FROM events r JOIN events t ON t.id = r.subject
                        WHERE r.type = 'event.redacted' AND t.subject = ?
                        """), arguments: [subject])
        }
        let redactions = try self.redactions(of: targets)
        return try targets.compactMap { id in
            guard let e = try event(id: id), let r = redactions[id] else { return nil }
            return (e, r)
        }
    }

    /// The redactions of the given events, by target (the latest when several).
    public func redactions(of targets: [String]) throws -> [String: Redaction] {
        guard !targets.isEmpty else { return [:] }
        return try pool.read { db in
            var out: [String: Redaction] = [:]
            let statement = try db.cachedStatement(
                sql: "SELECT e.pos FROM events e WHERE e.type = 'event.redacted' AND e.subject = ? ORDER BY e.pos")
            for target in Set(targets) {
                for pos in try Int64.fetchAll(statement, arguments: [target]) {
                    guard let row = try Row.fetchOne(db, sql: StoredEvent.selectSQL + " WHERE e.pos = ?", arguments: [pos]) else {
                        continue
                    }
                    let e = StoredEvent(row: row)
                    let reason = e.bodyBytes.flatMap { try? JSONParser.parse($0) }?["reason"]?.stringValue ?? ""
                    out[target] = Redaction(id: e.id, target: target, author: e.author, time: e.time, reason: reason)
                }
            }
            return out
        }
    }

    /// Redactions follow their signers' validity, as every other event does: among the
    /// events `ids` whose validity just changed, the redactions are settled again.
    func settleRedactions(of ids: [String], db: Database) throws {
        guard !ids.isEmpty else { return }
        let subject = try db.cachedStatement(sql: "SELECT subject FROM events WHERE id = ? AND type = 'event.redacted'")
        var targets: Set<String> = []
        for id in ids { if let t = try String.fetchOne(subject, arguments: [id]) { targets.insert(t) } }
        for t in targets.sorted() { try settleRedaction(of: t, db: db) }
    }

    /// Makes this node's redaction of `target` what its valid redaction events say. The
    /// first valid one erases the body (once) and what the read models took from it. When
    /// none is valid any more (its signer's revocation arrived after it), the redaction no
    /// longer counts, and an erased body is owed again: a sync asks peers for it by id, as
    /// for a body stripped in transit, and it takes effect when it comes. Otherwise a node
    /// that took a revoked admin's redaction before the revocation would differ for good,
    /// silently, from one that heard of the revocation first.
    ///
    /// A redaction is judged only once its target is known (`RedactionRule`): until then it
    /// is held (stored, in no effect); a redaction of a genesis or membership event never
    /// takes effect, whatever the order of arrival.
    func settleRedaction(of target: String, db: Database) throws {
        guard let targetType = try String.fetchOne(db, sql: "SELECT type FROM events WHERE id = ?", arguments: [target]),
            RedactionRule.mayErase(targetType: targetType)
        else {
            try db.execute(sql: "DELETE FROM redactions WHERE target = ?", arguments: [target])
            return
        }
        // Decoded as the stored event it is (its envelope gives the body's schema).
        let valid = try Row.fetchAll(
            db,
            sql: StoredEvent.selectSQL + """
                 WHERE e.type = 'event.redacted' AND e.subject = ?
                AND NOT EXISTS (SELECT 1 FROM invalid_events i WHERE i.event_id = e.id) ORDER BY e.pos
                """, arguments: [target]
        ).lazy.map(StoredEvent.init(row:)).compactMap { s -> (id: String, time: String, author: String, reason: String)? in
            guard let e = try? s.decoded(), let body = e.body,
                case .redacted(_, let reason)? = try? AuthorizationEvent(
                    type: s.type, schema: e.envelope.schema, subject: s.subject, body: body)
            else { return nil }
            return (s.id, s.time, s.author, reason)
        }.first
        let held = try String.fetchOne(db, sql: "SELECT event_id FROM redactions WHERE target = ?", arguments: [target])
        let pos = try Int64.fetchOne(db, sql: "SELECT pos FROM events WHERE id = ?", arguments: [target])
        if let valid {
            guard held != valid.id else { return }
            try db.execute(
                sql: "INSERT OR REPLACE INTO redactions(target, event_id, reason, time, author) VALUES (?,?,?,?,?)",
                arguments: [target, valid.id, valid.reason, valid.time, valid.author])
            // Erased once: a redaction that replaces an invalid one finds the body gone already.
            guard let pos,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM bodies WHERE pos = ?", arguments: [pos]) == true
                    || Bool.fetchOne(db, sql: "SELECT 1 FROM pending_bodies WHERE event_id = ?", arguments: [target]) == true
            else { return }
            try db.execute(sql: "DELETE FROM bodies WHERE pos = ?", arguments: [pos])
            try db.execute(sql: "DELETE FROM pending_bodies WHERE event_id = ?", arguments: [target])
            for p in projectors { try p.redact(target, db: db) }
            // The old pages still sit in the WAL: the writer checkpoints once this commits.
            try Self.setMeta(db, "scrub", "1")
        } else if held != nil {
            try db.execute(sql: "DELETE FROM redactions WHERE target = ?", arguments: [target])
            if let pos, try Bool.fetchOne(db, sql: "SELECT 1 FROM bodies WHERE pos = ?", arguments: [pos]) != true {
                try db.execute(sql: "INSERT OR IGNORE INTO pending_bodies(event_id, pos) VALUES (?, ?)", arguments: [target, pos])
            }
        }
    }

    /// After a redaction commits, its erased text may still sit in WAL frames: fold the
    /// WAL into the database (where secure_delete zeroed the freed pages) and truncate it.
    func scrubIfRedacted() throws {
        guard try pool.read({ db in try Self.meta(db, "scrub") }) != nil else { return }
        try pool.writeWithoutTransaction { db in try Self.scrub(db) }
    }

    /// The same without blocking a thread (GRDB's async access), for async writers.
    func scrubIfRedacted() async throws {
        guard try await pool.read({ db in try Self.meta(db, "scrub") }) != nil else { return }
        try await pool.writeWithoutTransaction { db in try Self.scrub(db) }
    }

    /// The checkpoint after a redaction, on the writer connection outside a transaction.
    /// TRUNCATE waits (SQLite's busy handler, up to the busy timeout) for readers to leave
    /// their older snapshots; should one outlast it, the mark stays, and the next write
    /// scrubs again instead of forgetting.
    static func scrub(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM meta WHERE key = 'scrub'")
        let (log, checkpointed) = try db.checkpoint(.truncate)
        if log != 0 && log != checkpointed { try setMeta(db, "scrub", "1") }
    }
}
