import AccordCore
import Foundation
import GRDB

/// Projects curation events (Events/, typed in `DomainEvent`) into the curation read
/// models, inside the ingest transaction. Every insert is into a set keyed by event id,
/// and every materialised row is recomputed from those sets, so the result depends on
/// the set of events and not on their order.
public struct CurationProjector: Projector {
    public init() {}

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        CurationSchema.register(&migrator)
    }

    public func validate(_ event: SignedEvent) throws(EventRejection) {
        let env = event.envelope
        guard DomainEvent.isDomainType(env.type), let body = event.body else { return }
        do {
            _ = try DomainEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
        } catch {
            throw EventRejection(.invalidPayload, "\(env.type): \(error.message)")
        }
    }

    public func apply(_ event: SignedEvent, position: Int64, valid: Bool, db: Database) throws {
        let env = event.envelope
        guard DomainEvent.isDomainType(env.type), let body = event.body,
            let d = try? DomainEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
        else { return }
        try Self.record(d, id: event.id, time: env.timeText, author: env.author, valid: valid, db: db)
    }

    public func reset(db: Database) throws {
        for t in CurationSchema.tables { try db.execute(sql: "DELETE FROM \(t)") }
    }

    static let factTables = ["cur_created", "cur_revisions", "cur_set_adds", "cur_set_removes", "cur_status"]

    /// The records an event touched.
    static func keys(of ids: [String], db: Database) throws -> Set<String> {
        var keys: Set<String> = []
        for id in ids {
            for t in factTables {
                keys.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT key FROM \(t) WHERE event_id = ?", arguments: [id]))
            }
        }
        return keys
    }

    public func setValidity(_ ids: [String], valid: Bool, db: Database) throws {
        for id in ids {
            for t in Self.factTables { try db.execute(sql: "UPDATE \(t) SET valid = ? WHERE event_id = ?", arguments: [valid, id]) }
        }
        for key in try Self.keys(of: ids, db: db) { try Self.refreshRecord(db, key: key) }
    }

    public func redact(_ id: String, db: Database) throws {
        let keys = try Self.keys(of: [id], db: db)
        for t in Self.factTables { try db.execute(sql: "DELETE FROM \(t) WHERE event_id = ?", arguments: [id]) }
        try db.execute(sql: "DELETE FROM cur_bases WHERE event_id = ?", arguments: [id])
        for key in keys { try Self.refreshRecord(db, key: key) }
        // Deleted FTS5 rows leave their tokens in the index segments until they merge:
        // merge now, so the redacted words are gone from the search index too.
        try db.execute(sql: "INSERT INTO record_search(record_search) VALUES ('optimize')")
    }

    /// Stores the facts of one event and refreshes what they touch.
    static func record(_ d: DomainEvent, id: String, time: String, author: String, valid: Bool = true, db: Database) throws {
        let key = d.symbol.key
        func revision(_ f: RecordField, _ v: JSONValue) throws {
            try db.execute(
                sql: "INSERT OR IGNORE INTO cur_revisions(event_id, field, key, value, time, author, valid) VALUES (?,?,?,?,?,?,?)",
                arguments: [id, f.rawValue, key, v.canonicalString, time, author, valid])
        }
        func add(_ kind: String, _ item: String, _ value: JSONValue) throws {
            try db.execute(
                sql: "INSERT OR IGNORE INTO cur_set_adds(event_id, kind, item, key, value, time, author, valid) VALUES (?,?,?,?,?,?,?,?)",
                arguments: [id, kind, item, key, value.canonicalString, time, author, valid])
        }
        func remove(_ kind: String, _ item: String, seen: [String]) throws {
            for s in seen {
                try db.execute(
                    sql:
                        "INSERT OR IGNORE INTO cur_set_removes(seen_id, kind, item, event_id, key, time, author, valid) VALUES (?,?,?,?,?,?,?,?)",
                    arguments: [s, kind, item, id, key, time, author, valid])
            }
        }
        switch d {
        case .recordCreated(let symbol, let fields):
            try db.execute(
                sql: "INSERT OR IGNORE INTO cur_created(event_id, key, symbol, time, author, valid) VALUES (?,?,?,?,?,?)",
                arguments: [id, key, symbol.description, time, author, valid])
            for (f, v) in fields { try revision(f, v) }
            try refreshRecord(db, key: key)
        case .fieldSet(_, let field, let value, let base):
            try revision(field, value)
            for b in base {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO cur_bases(base_id, field, event_id) VALUES (?,?,?)", arguments: [b, field.rawValue, id])
            }
            try refreshField(db, key: key, field: field)
        case .topicsAdded(_, let topics):
            for t in topics { try add("topic", t, .string(t)) }
            try refreshItems(db, key: key, kind: "topic")
        case .topicsRemoved(_, let topics, let seen):
            for t in topics { try remove("topic", t, seen: seen) }
            try refreshItems(db, key: key, kind: "topic")
        case .linksAdded(_, let links):
            for l in links { try add("link", l.item, l.json) }
            try refreshItems(db, key: key, kind: "link")
        case .linksRemoved(_, let links, let seen):
            for l in links { try remove("link", l.item, seen: seen) }
            try refreshItems(db, key: key, kind: "link")
        case .sourcesAdded(_, let sources):
            for s in sources { try add("source", s.item, s.json) }
            try refreshItems(db, key: key, kind: "source")
        case .sourcesRemoved(_, let urls, let seen):
            for u in urls { try remove("source", u, seen: seen) }
            try refreshItems(db, key: key, kind: "source")
        case .withdrawn(_, let reason):
            try db.execute(
                sql: "INSERT OR IGNORE INTO cur_status(event_id, key, withdrawn, reason, time, author, valid) VALUES (?,?,1,?,?,?,?)",
                arguments: [id, key, reason, time, author, valid])
            try refreshStatus(db, key: key)
        case .restored:
            try db.execute(
                sql: "INSERT OR IGNORE INTO cur_status(event_id, key, withdrawn, reason, time, author, valid) VALUES (?,?,0,NULL,?,?,?)",
                arguments: [id, key, time, author, valid])
            try refreshStatus(db, key: key)
        }
    }

    static func column(_ f: RecordField) -> String { f == .interpolRole ? "interpol_role" : f.rawValue }

    /// The value as stored in its `records` column.
    static func columnValue(_ f: RecordField, _ v: JSONValue) -> (any DatabaseValueConvertible)? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: return f == .meeting ? v.intValue : v.canonicalString
        }
    }

    static func exists(_ db: Database, key: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM records WHERE key = ?", arguments: [key]) ?? false
    }

    /// Recomputes the whole materialised record (after a creation, or a rebuild).
    static func refreshRecord(_ db: Database, key: String) throws {
        try db.execute(sql: "DELETE FROM records WHERE key = ?", arguments: [key])
        try db.execute(sql: "DELETE FROM record_items WHERE key = ?", arguments: [key])
        try db.execute(sql: "DELETE FROM conflicts WHERE key = ?", arguments: [key])
        try db.execute(sql: "DELETE FROM record_search WHERE key = ?", arguments: [key])
        guard let symbol = try RecordStateQuery.symbol(db, key: key, cutoff: nil) else { return }
        try db.execute(
            sql: "INSERT INTO records(key, symbol, body, year) VALUES (?,?,?,?)",
            arguments: [key, symbol.description, symbol.body.rawValue, symbol.year])
        for f in RecordField.allCases { try refreshField(db, key: key, field: f, search: false) }
        for k in ["topic", "link", "source"] { try refreshItems(db, key: key, kind: k) }
        try refreshStatus(db, key: key)
        try refreshSearch(db, key: key)
    }

    static func refreshField(_ db: Database, key: String, field: RecordField, search: Bool = true) throws {
        guard try exists(db, key: key) else { return }
        let state = try RecordStateQuery.field(db, key: key, field: field, cutoff: nil)
        try db.execute(
            sql: "UPDATE records SET \(column(field)) = ? WHERE key = ?", arguments: [columnValue(field, state.value), key])
        if field == .adopted {
            try db.execute(
                sql: "UPDATE records SET year = coalesce(CAST(substr(adopted, 1, 4) AS INTEGER), year) WHERE key = ?", arguments: [key])
        }
        if state.inConflict {
            try db.execute(
                sql: "INSERT INTO conflicts(key, field, heads) VALUES (?,?,?) ON CONFLICT(key, field) DO UPDATE SET heads = excluded.heads",
                arguments: [key, field.rawValue, state.heads.count])
        } else {
            try db.execute(sql: "DELETE FROM conflicts WHERE key = ? AND field = ?", arguments: [key, field.rawValue])
        }
        if search && RecordField.searchable.contains(field) { try refreshSearch(db, key: key) }
    }

    static func refreshItems(_ db: Database, key: String, kind: String) throws {
        guard try exists(db, key: key) else { return }
        try db.execute(sql: "DELETE FROM record_items WHERE key = ? AND kind = ?", arguments: [key, kind])
        for (item, value) in try RecordStateQuery.items(db, key: key, kind: kind, cutoff: nil) {
            try db.execute(
                sql: "INSERT INTO record_items(key, kind, item, value) VALUES (?,?,?,?)",
                arguments: [key, kind, item, value.canonicalString])
        }
    }

    static func refreshStatus(_ db: Database, key: String) throws {
        guard try exists(db, key: key) else { return }
        try db.execute(
            sql: "UPDATE records SET withdrawn = ? WHERE key = ?",
            arguments: [try RecordStateQuery.withdrawn(db, key: key, cutoff: nil), key])
    }

    static func refreshSearch(_ db: Database, key: String) throws {
        try db.execute(sql: "DELETE FROM record_search WHERE key = ?", arguments: [key])
        try db.execute(
            sql: """
                INSERT INTO record_search(key, title, summary, interpol_role, notes, text)
                SELECT key, title, summary, interpol_role, notes, text FROM records WHERE key = ?
                """, arguments: [key])
    }
}
