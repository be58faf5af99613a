public import AccordCore
import Foundation
public import GRDB

/// Projects curation events (Events/, typed in `DomainEvent`) into the curation read
/// models, inside the ingest transaction, one batch at a time:
/// 1. the facts of every event of the batch go into the `cur_*` sets (keyed by event id,
///    so the result depends on the set of events and not on their order);
/// 2. each record the batch touched is folded once (`RecordFold`, AccordCore) from its
///    facts, and its materialised rows are written: `records`, `record_items`,
///    `conflicts`, and the search index by the record's rowid.
/// Every statement is the connection's cached statement, driven through the C API.
public struct CurationProjector: Projector {
    public init() {}

    /// Checks a curation event's payload, unless the check stage has decoded it already.
    public func validate(_ event: SignedEvent) throws(EventRejection) {
        let env = event.envelope
        guard event.domain == nil, DomainEvent.isDomainType(env.type), let body = event.body else { return }
        do {
            _ = try DomainEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
        } catch {
            throw EventRejection(.invalidPayload, "\(env.type): \(error.message)")
        }
    }

    public func reads(type: String) -> Bool { DomainEvent.isDomainType(type) }

    public func apply(_ batch: [ProjectedEvent], db: Database) throws {
        let touched = try Self.storeFacts(batch, db: db)
        try Self.materialise(touched.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, db: db, search: true)
    }

    public func makeStage() -> (any ProjectionStage)? { Stage() }

    /// Facts stored as each part is appended; the records they touched folded at the end.
    final class Stage: ProjectionStage {
        private var touched: [String: RecordParts] = [:]

        func add(_ batch: [ProjectedEvent], db: Database) throws {
            touched.merge(try CurationProjector.storeFacts(batch, db: db)) { $0.union($1) }
        }

        func finish(db: Database) throws {
            guard !touched.isEmpty else { return }
            let keys = touched.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            touched = [:]
            try CurationProjector.materialise(keys, db: db, search: true)
        }
    }

    public func replay(_ batch: [ProjectedEvent], db: Database) throws {
        _ = try Self.storeFacts(batch, db: db, counting: false)
    }

    /// Builds the indexes `reset` set aside (a sort each, instead of a random insert per row),
    /// counts what supersedes each fact in one pass, folds every record once, in batches of
    /// keys, then builds the search index in one pass.
    public func finishReplay(db: Database) throws {
        let setAside = try Row.fetchAll(db, sql: "SELECT name, tbl, sql FROM temp.rebuild_indexes")
        func build(_ which: (_ name: String, _ table: String) -> Bool) throws {
            for r in setAside where which(r["name"], r["tbl"]) { try db.execute(sql: r["sql"]) }
        }
        let live = { (name: String) in name.hasSuffix("_live") }
        let facts = { (table: String) in table.hasPrefix("cur_") }
        // The live indexes after the counts they filter on; those of the records after them.
        try build { name, table in facts(table) && !live(name) }
        try Self.recountAll(db)
        try build { name, table in facts(table) && live(name) }
        try Self.materialiseAll(db)
        try build { _, table in !facts(table) }
        try db.execute(sql: "DROP TABLE temp.rebuild_indexes")
    }

    /// How many valid facts supersede a fact, as SQL over the sets: the revisions that name a
    /// revision as their base, the removals that saw an add. Only within the fact's record, as
    /// the fold of a record's facts counts (a revision of one record naming another record's
    /// revision replaces nothing there); `+key` keeps SQLite from looking facts up by record,
    /// which would read a record's whole history, instead of by the fact they name.
    enum Counts {
        static func replaced(id: String, field: String, key: String) -> String {
            """
            (SELECT count(*) FROM cur_bases b JOIN cur_revisions r2 ON r2.event_id = b.event_id AND r2.field = b.field
            WHERE b.base_id = \(id) AND b.field = \(field) AND r2.valid = 1 AND +r2.key = \(key))
            """
        }

        static func removed(id: String, kind: String, item: String, key: String) -> String {
            """
            (SELECT count(*) FROM cur_set_removes r
            WHERE r.seen_id = \(id) AND r.kind = \(kind) AND r.item = \(item) AND r.valid = 1 AND +r.key = \(key))
            """
        }
    }

    /// Every `replaced` and `removed` count from the sets (a rebuild, the v6 migration).
    static func recountAll(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE cur_revisions SET replaced = \(Counts.replaced(
                    id: "cur_revisions.event_id", field: "cur_revisions.field", key: "cur_revisions.key"));
                UPDATE cur_set_adds SET removed = \(Counts.removed(
                    id: "cur_set_adds.event_id", kind: "cur_set_adds.kind", item: "cur_set_adds.item", key: "cur_set_adds.key"));
                """)
    }

    /// Empties the read models for a rebuild and sets their secondary indexes aside (kept in
    /// a temporary table, inside the rebuild's transaction) until `finishReplay`: rows go in
    /// without them, then each is built in one sort. The unique indexes stay: they keep facts
    /// apart and the recount looks facts up by them.
    public func reset(db: Database) throws {
        for t in CurationSchema.tables where t != "record_search" { try db.execute(sql: "DELETE FROM \(t)") }
        try db.execute(sql: "INSERT INTO record_search(record_search) VALUES ('delete-all')")
        let tables = CurationSchema.tables.filter { $0 != "record_search" }.map { "'\($0)'" }.joined(separator: ", ")
        try db.execute(
            sql: """
                DROP TABLE IF EXISTS temp.rebuild_indexes;
                CREATE TEMP TABLE rebuild_indexes AS
                    SELECT name, tbl_name AS tbl, sql FROM main.sqlite_master
                    WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (\(tables));
                """)
        for name in try String.fetchAll(db, sql: "SELECT name FROM temp.rebuild_indexes") {
            try db.execute(sql: "DROP INDEX main.\(name.quotedDatabaseIdentifier)")
        }
    }

    static let factTables = ["cur_created", "cur_revisions", "cur_set_adds", "cur_set_removes", "cur_status"]

    /// The records the events touched.
    static func keys(of ids: [String], db: Database) throws -> Set<String> {
        var keys: Set<String> = []
        for t in factTables {
            let s = try RawStatement(cached: db, sql: "SELECT DISTINCT key FROM \(t) WHERE event_id = ?")
            for id in ids {
                s.bind(1, id)
                try s.rows { r in if let k = r.text(0) { keys.insert(k) } }
            }
        }
        return keys
    }

    public func setValidity(_ ids: [String], valid: Bool, db: Database) throws {
        var recounts = Recounts()
        try recounts.noteStored(ids, db: db)
        for t in Self.factTables {
            let s = try RawStatement(cached: db, sql: "UPDATE \(t) SET valid = ? WHERE event_id = ?")
            for id in ids {
                s.bind(1, valid)
                s.bind(2, id)
                try s.run()
            }
        }
        try recounts.run(db)
        try Self.materialise(try Self.keys(of: ids, db: db).sorted().map { ($0, .all) }, db: db, search: true)
    }

    public func redact(_ id: String, db: Database) throws {
        let keys = try Self.keys(of: [id], db: db)
        var recounts = Recounts()
        try recounts.noteStored([id], db: db)
        for t in Self.factTables { try db.execute(sql: "DELETE FROM \(t) WHERE event_id = ?", arguments: [id]) }
        try db.execute(sql: "DELETE FROM cur_bases WHERE event_id = ?", arguments: [id])
        try recounts.run(db)
        try Self.materialise(keys.sorted().map { ($0, .all) }, db: db, search: true)
        // Deleted FTS5 rows leave their tokens in the index segments until they merge:
        // merge now, so the redacted words are gone from the search index too.
        try db.execute(sql: "INSERT INTO record_search(record_search) VALUES ('optimize')")
    }

    // MARK: Facts

    /// The statements that store facts, prepared once per connection.
    struct FactWriter {
        let created, revision, base, add, remove, status: RawStatement

        init(_ db: Database, counting: Bool) throws {
            created = try RawStatement(
                cached: db, sql: "INSERT OR IGNORE INTO cur_created(event_id, key, symbol, time, author, valid) VALUES (?,?,?,?,?,?)")
            // Counting, a fact named before it arrived (a sync delivers in any order) is born
            // counted; a rebuild counts everything once at the end (`recountAll`).
            revision = try RawStatement(
                cached: db,
                sql: """
                    INSERT OR IGNORE INTO cur_revisions(event_id, field, key, value, time, author, valid, replaced)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, \(counting ? Counts.replaced(id: "?1", field: "?2", key: "?3") : "0"))
                    """)
            base = try RawStatement(cached: db, sql: "INSERT OR IGNORE INTO cur_bases(base_id, field, event_id) VALUES (?,?,?)")
            add = try RawStatement(
                cached: db,
                sql: """
                    INSERT OR IGNORE INTO cur_set_adds(event_id, kind, item, key, value, time, author, valid, removed)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \(counting ? Counts.removed(id: "?1", kind: "?2", item: "?3", key: "?4") : "0"))
                    """)
            remove = try RawStatement(
                cached: db,
                sql:
                    "INSERT OR IGNORE INTO cur_set_removes(seen_id, kind, item, event_id, key, time, author, valid) VALUES (?,?,?,?,?,?,?,?)"
            )
            status = try RawStatement(
                cached: db,
                sql: "INSERT OR IGNORE INTO cur_status(event_id, key, withdrawn, reason, time, author, valid) VALUES (?,?,?,?,?,?,?)")
            replacedOne = try RawStatement(
                cached: db, sql: "UPDATE cur_revisions SET replaced = replaced + 1 WHERE event_id = ? AND field = ? AND +key = ?")
            removedOne = try RawStatement(
                cached: db, sql: "UPDATE cur_set_adds SET removed = removed + 1 WHERE event_id = ? AND kind = ? AND item = ? AND +key = ?")
        }

        /// Counts what supersedes each fact as it is stored: a valid revision adds one to each
        /// base it names, a valid removal to each add it saw, within its record (nothing when
        /// that fact has not arrived yet: it counts what names it when it is inserted).
        let replacedOne, removedOne: RawStatement
    }

    /// Stores the facts of the batch's curation events; returns the records they touch and
    /// which parts of each.
    static func storeFacts(_ batch: [ProjectedEvent], db: Database, counting: Bool = true) throws -> [String: RecordParts] {
        var touched: [String: RecordParts] = [:]
        var writer: FactWriter?
        for p in batch {
            let env = p.event.envelope
            guard DomainEvent.isDomainType(env.type), let body = p.event.body,
                let d = p.event.domain ?? (try? DomainEvent(type: env.type, schema: env.schema, subject: env.subject, body: body))
            else { continue }
            if writer == nil { writer = try FactWriter(db, counting: counting) }
            try store(d, id: p.event.id, time: env.timeText, author: env.author, valid: p.valid, counting: counting, writer!)
            touched[d.symbol.key, default: []].formUnion(RecordParts(of: d))
        }
        return touched
    }

    /// The revisions and adds whose `replaced` / `removed` counts a change of validity or a
    /// redaction may have changed: recounted from the sets.
    struct Recounts {
        var revisions: Set<[String]> = []
        var adds: Set<[String]> = []

        /// What the stored facts of events `ids` name (for a change of validity or a redaction).
        mutating func noteStored(_ ids: [String], db: Database) throws {
            let bases = try RawStatement(cached: db, sql: "SELECT base_id, field FROM cur_bases WHERE event_id = ?")
            let removes = try RawStatement(cached: db, sql: "SELECT seen_id, kind, item FROM cur_set_removes WHERE event_id = ?")
            for id in ids {
                bases.bind(1, id)
                try bases.rows { r in revisions.insert([r.text(0) ?? "", r.text(1) ?? ""]) }
                removes.bind(1, id)
                try removes.rows { r in adds.insert([r.text(0) ?? "", r.text(1) ?? "", r.text(2) ?? ""]) }
            }
        }

        /// Recounts each noted fact from the sets (within its record).
        func run(_ db: Database) throws {
            if !revisions.isEmpty {
                let s = try RawStatement(
                    cached: db,
                    sql: """
                        UPDATE cur_revisions SET replaced = \(Counts.replaced(id: "?1", field: "?2", key: "cur_revisions.key"))
                        WHERE event_id = ?1 AND field = ?2
                        """)
                for r in revisions {
                    s.bind(1, r[0])
                    s.bind(2, r[1])
                    try s.run()
                }
            }
            if !adds.isEmpty {
                let s = try RawStatement(
                    cached: db,
                    sql: """
                        UPDATE cur_set_adds SET removed = \(Counts.removed(id: "?1", kind: "?2", item: "?3", key: "cur_set_adds.key"))
                        WHERE event_id = ?1 AND kind = ?2 AND item = ?3
                        """)
                for a in adds {
                    s.bind(1, a[0])
                    s.bind(2, a[1])
                    s.bind(3, a[2])
                    try s.run()
                }
            }
        }
    }

    static func store(
        _ d: DomainEvent, id: String, time: String, author: String, valid: Bool, counting: Bool, _ w: FactWriter
    ) throws {
        let f = EventFacts(id: id, key: d.symbol.key, time: time, author: author, valid: valid, counting: counting, w: w)
        switch d {
        case .recordCreated(let symbol, let fields):
            try f.created(symbol)
            for (field, v) in fields { try f.revision(field, v) }
        case .fieldSet(_, let field, let value, let base):
            try f.revision(field, value)
            try f.bases(base, field: field)
        case .topicsAdded(_, let topics):
            for t in topics { try f.add(.topic, t, .string(t)) }
        case .topicsRemoved(_, let topics, let seen):
            for t in topics { try f.remove(.topic, t, seen: seen) }
        case .linksAdded(_, let links):
            for l in links { try f.add(.link, l.item, l.json) }
        case .linksRemoved(_, let links, let seen):
            for l in links { try f.remove(.link, l.item, seen: seen) }
        case .sourcesAdded(_, let sources):
            for s in sources { try f.add(.source, s.item, s.json) }
        case .sourcesRemoved(_, let urls, let seen):
            for u in urls { try f.remove(.source, u, seen: seen) }
        case .withdrawn(_, let reason):
            try f.status(withdrawn: true, reason: reason)
        case .restored:
            try f.status(withdrawn: false, reason: nil)
        }
    }

    /// One event's facts as they are written: which event and record, when, by whom, whether
    /// they count, and whether the live counts are kept as they go (`counting`).
    struct EventFacts {
        let id: String
        let key: String
        let time: String
        let author: String
        let valid: Bool
        let counting: Bool
        let w: FactWriter

        func revision(_ f: RecordField, _ v: JSONValue) throws {
            let s = w.revision
            s.bind(1, id)
            s.bind(2, f.rawValue)
            s.bind(3, key)
            s.bind(4, v.canonicalString)
            s.bind(5, time)
            s.bind(6, author)
            s.bind(7, valid)
            try s.run()
        }
        func add(_ kind: ItemKind, _ item: String, _ value: JSONValue) throws {
            let s = w.add
            s.bind(1, id)
            s.bind(2, kind.rawValue)
            s.bind(3, item)
            s.bind(4, key)
            s.bind(5, value.canonicalString)
            s.bind(6, time)
            s.bind(7, author)
            s.bind(8, valid)
            try s.run()
        }
        func remove(_ kind: ItemKind, _ item: String, seen: [String]) throws {
            let s = w.remove
            for seenID in seen {
                s.bind(1, seenID)
                s.bind(2, kind.rawValue)
                s.bind(3, item)
                s.bind(4, id)
                s.bind(5, key)
                s.bind(6, time)
                s.bind(7, author)
                s.bind(8, valid)
                try s.run()
                if counting && valid && s.changes == 1 {
                    w.removedOne.bind(1, seenID)
                    w.removedOne.bind(2, kind.rawValue)
                    w.removedOne.bind(3, item)
                    w.removedOne.bind(4, key)
                    try w.removedOne.run()
                }
            }
        }
        func status(withdrawn: Bool, reason: String?) throws {
            let s = w.status
            s.bind(1, id)
            s.bind(2, key)
            s.bind(3, withdrawn)
            s.bind(4, reason)
            s.bind(5, time)
            s.bind(6, author)
            s.bind(7, valid)
            try s.run()
        }

        func created(_ symbol: ResolutionSymbol) throws {
            let s = w.created
            s.bind(1, id)
            s.bind(2, key)
            s.bind(3, symbol.description)
            s.bind(4, time)
            s.bind(5, author)
            s.bind(6, valid)
            try s.run()
        }

        /// The revisions a field set replaces, and (when counting) their live counts.
        func bases(_ base: [String], field: RecordField) throws {
            for b in base {
                w.base.bind(1, b)
                w.base.bind(2, field.rawValue)
                w.base.bind(3, id)
                try w.base.run()
                if counting && valid && w.base.changes == 1 {
                    w.replacedOne.bind(1, b)
                    w.replacedOne.bind(2, field.rawValue)
                    w.replacedOne.bind(3, key)
                    try w.replacedOne.run()
                }
            }
        }
    }

    // MARK: Materialised rows

    static func column(_ f: RecordField) -> String { f == .interpolRole ? "interpol_role" : f.rawValue }

    /// The value as stored in its `records` column.
    static func columnText(_ v: JSONValue) -> String? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: return v.canonicalString
        }
    }

    static func exists(_ db: Database, key: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM records WHERE key = ?", arguments: [key]) ?? false
    }

    /// A cell of a materialised row, as SQLite stores it.
    enum Cell: Equatable {
        case null, int(Int64), text(String)

        func bind(_ s: RawStatement, _ i: Int32) {
            switch self {
            case .null: s.bind(i, nil as String?)
            case .int(let n): s.bind(i, n)
            case .text(let t): s.bind(i, t)
            }
        }

        static func read(_ s: RawStatement, _ i: Int32) -> Cell {
            if s.isNull(i) { return .null }
            return s.isInteger(i) ? .int(s.int(i)) : .text(s.text(i) ?? "")
        }

        var text: String? { if case .text(let t) = self { t } else { nil } }

        /// Equal as SQLite and the digest see them: text byte for byte (Swift's `String ==`
        /// calls an NFC "é" and an NFD "e\u{301}" equal, and a row would keep the old bytes).
        static func == (a: Cell, b: Cell) -> Bool {
            switch (a, b) {
            case (.null, .null): true
            case (.int(let x), .int(let y)): x == y
            case (.text(let x), .text(let y)): x.utf8.elementsEqual(y.utf8)
            default: false
            }
        }
    }

    /// The statements that write materialised rows, prepared once per connection.
    struct RowWriter {
        let old, insert, update, delete, items, deleteItem, deleteItems, insertItem, conflicts, deleteConflicts, insertConflict,
            searchInsert, searchDelete: RawStatement

        static let dataColumns = ["symbol", "body", "year", "withdrawn"] + RecordField.allCases.map(CurationProjector.column)
        static let searchColumns = RecordField.searchable.map(CurationProjector.column)
        /// Where each searchable column sits among the data columns.
        static let searchIndexes = searchColumns.map { c in dataColumns.firstIndex(of: c)! }

        init(_ db: Database) throws {
            let cols = Self.dataColumns
            old = try RawStatement(cached: db, sql: "SELECT id, \(cols.joined(separator: ", ")) FROM records WHERE key = ?")
            insert = try RawStatement(
                cached: db,
                sql:
                    "INSERT INTO records(key, \(cols.joined(separator: ", "))) VALUES (?, \(cols.map { _ in "?" }.joined(separator: ", ")))"
            )
            update = try RawStatement(
                cached: db, sql: "UPDATE records SET \(cols.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?")
            delete = try RawStatement(cached: db, sql: "DELETE FROM records WHERE id = ?")
            items = try RawStatement(cached: db, sql: "SELECT kind, item, value FROM record_items WHERE key = ?")
            deleteItem = try RawStatement(cached: db, sql: "DELETE FROM record_items WHERE key = ? AND kind = ? AND item = ?")
            deleteItems = try RawStatement(cached: db, sql: "DELETE FROM record_items WHERE key = ?")
            insertItem = try RawStatement(
                cached: db, sql: "INSERT OR REPLACE INTO record_items(key, kind, item, value) VALUES (?,?,?,?)")
            conflicts = try RawStatement(cached: db, sql: "SELECT field, heads FROM conflicts WHERE key = ?")
            deleteConflicts = try RawStatement(cached: db, sql: "DELETE FROM conflicts WHERE key = ?")
            insertConflict = try RawStatement(cached: db, sql: "INSERT INTO conflicts(key, field, heads) VALUES (?,?,?)")
            let search = Self.searchColumns.joined(separator: ", ")
            let marks = Self.searchColumns.map { _ in "?" }.joined(separator: ", ")
            searchInsert = try RawStatement(cached: db, sql: "INSERT INTO record_search(rowid, \(search)) VALUES (?, \(marks))")
            // External content: a row leaves the index by its rowid and the values it was indexed with.
            searchDelete = try RawStatement(
                cached: db, sql: "INSERT INTO record_search(record_search, rowid, \(search)) VALUES ('delete', ?, \(marks))")
        }
    }

    /// Folds each record once from its facts and writes its rows; `search` false leaves
    /// the search index to be rebuilt in one pass afterwards.
    /// Only the parts the batch changed are read and written (a `field.set` leaves the
    /// record's items alone, a `topics.added` its row).
    static func materialise(_ keys: [(key: String, parts: RecordParts)], db: Database, search: Bool) throws {
        guard !keys.isEmpty else { return }
        let w = try RowWriter(db)
        for (key, parts) in keys {
            let state = try RecordStateQuery.state(db, key: key, cutoff: nil, parts: parts)
            try write(key: key, state: state, parts: parts, w, search: search)
        }
    }

    /// Folds every record, a batch of keys at a time (memory bounded by the batch), and
    /// builds the search index from the records in one pass.
    static func materialiseAll(_ db: Database, keysPerBatch: Int = 512) throws {
        var after = ""
        while true {
            let keys = try String.fetchAll(
                db, sql: "SELECT DISTINCT key FROM cur_created WHERE key > ? ORDER BY key LIMIT ?", arguments: [after, keysPerBatch])
            guard let last = keys.last else { break }
            try materialise(keys.map { ($0, .all) }, db: db, search: false)
            after = last
        }
        try db.execute(sql: "INSERT INTO record_search(record_search) VALUES ('rebuild')")
    }

    /// The data cells of a record's `records` row, in `RowWriter.dataColumns` order.
    static func cells(_ state: RecordState) -> [Cell] {
        let adopted = state.value(.adopted).stringValue
        let year = adopted.flatMap { Int64($0.prefix(4)) } ?? state.symbol.year.map(Int64.init)
        var cells: [Cell] = [
            .text(state.symbol.description), .text(state.symbol.body.rawValue), year.map(Cell.int) ?? .null,
            .int(state.withdrawn ? 1 : 0),
        ]
        for f in RecordField.allCases {
            let v = state.value(f)
            if f == .meeting, let n = v.intValue {
                cells.append(.int(Int64(n)))
            } else {
                cells.append(columnText(v).map(Cell.text) ?? .null)
            }
        }
        return cells
    }

    /// Writes what changed of a record's rows: its `records` row and search entry when a
    /// value changed, the items and conflicts that came or went.
    static func write(key: String, state: RecordState?, parts: RecordParts, _ w: RowWriter, search: Bool) throws {
        // The row as it is: its rowid and its values (the search index holds the searchable ones).
        var oldID: Int64?
        var oldCells: [Cell] = []
        w.old.bind(1, key)
        try w.old.rows { r in
            oldID = r.int(0)
            oldCells = (1...Int32(RowWriter.dataColumns.count)).map { Cell.read(r, $0) }
        }
        func bindSearch(_ s: RawStatement, id: Int64, _ cells: [Cell]) {
            s.bind(1, id)
            for (k, i) in RowWriter.searchIndexes.enumerated() { s.bind(Int32(k + 2), cells[i].text) }
        }
        guard let state else {
            w.deleteItems.bind(1, key)
            try w.deleteItems.run()
            w.deleteConflicts.bind(1, key)
            try w.deleteConflicts.run()
            if let oldID {
                if search {
                    bindSearch(w.searchDelete, id: oldID, oldCells)
                    try w.searchDelete.run()
                }
                w.delete.bind(1, oldID)
                try w.delete.run()
            }
            return
        }
        if parts.contains(.items) { try writeItems(key: key, state: state, w) }
        guard parts.contains(.row) else { return }
        let newCells = cells(state)
        if let oldID {
            if newCells != oldCells {
                for (k, c) in newCells.enumerated() { c.bind(w.update, Int32(k + 1)) }
                w.update.bind(Int32(newCells.count + 1), oldID)
                try w.update.run()
                if search && RowWriter.searchIndexes.contains(where: { newCells[$0] != oldCells[$0] }) {
                    bindSearch(w.searchDelete, id: oldID, oldCells)
                    try w.searchDelete.run()
                    bindSearch(w.searchInsert, id: oldID, newCells)
                    try w.searchInsert.run()
                }
            }
        } else {
            w.insert.bind(1, key)
            for (k, c) in newCells.enumerated() { c.bind(w.insert, Int32(k + 2)) }
            try w.insert.run()
            if search {
                bindSearch(w.searchInsert, id: w.insert.lastInsertedRowID, newCells)
                try w.searchInsert.run()
            }
        }
        try writeConflicts(key: key, state: state, w)
    }

    /// The record's items: those that went are deleted, those that came or changed written.
    static func writeItems(key: String, state: RecordState, _ w: RowWriter) throws {
        // Compared byte for byte, as SQLite and the digest compare them (see `Cell.==`).
        struct Item: Hashable {
            let kind: String
            let item: [UInt8]
            var text: String { String(decoding: item, as: UTF8.self) }
        }
        var old: [Item: [UInt8]] = [:]
        w.items.bind(1, key)
        try w.items.rows { r in
            old[Item(kind: r.text(0) ?? "", item: Array((r.text(1) ?? "").utf8))] = Array((r.text(2) ?? "").utf8)
        }
        var new: [Item: [UInt8]] = [:]
        func put(_ kind: ItemKind, _ item: String, _ value: JSONValue) {
            new[Item(kind: kind.rawValue, item: Array(item.utf8))] = value.canonicalBytes
        }
        for t in state.topics { put(.topic, t, .string(t)) }
        for l in state.links { put(.link, l.item, l.json) }
        for s in state.sources { put(.source, s.item, s.json) }
        for i in old.keys where new[i] == nil {
            w.deleteItem.bind(1, key)
            w.deleteItem.bind(2, i.kind)
            w.deleteItem.bind(3, i.text)
            try w.deleteItem.run()
        }
        for (i, value) in new where old[i] != value {
            w.insertItem.bind(1, key)
            w.insertItem.bind(2, i.kind)
            w.insertItem.bind(3, i.text)
            w.insertItem.bind(4, String(decoding: value, as: UTF8.self))
            try w.insertItem.run()
        }
    }

    /// The record's fields in conflict and how many heads each has, rewritten when they changed.
    static func writeConflicts(key: String, state: RecordState, _ w: RowWriter) throws {
        var old: [String: Int64] = [:]
        w.conflicts.bind(1, key)
        try w.conflicts.rows { r in old[r.text(0) ?? ""] = r.int(1) }
        var new: [String: Int64] = [:]
        for (f, s) in state.fields where s.inConflict { new[f.rawValue] = Int64(s.heads.count) }
        guard new != old else { return }
        w.deleteConflicts.bind(1, key)
        try w.deleteConflicts.run()
        for (f, heads) in new.sorted(by: { $0.key < $1.key }) {
            w.insertConflict.bind(1, key)
            w.insertConflict.bind(2, f)
            w.insertConflict.bind(3, heads)
            try w.insertConflict.run()
        }
    }
}
