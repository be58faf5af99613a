public import AccordCore
import Foundation
import GRDB

/// The curated dataset over a node's log: queries on the read models, and edits that
/// become signed events through the ingest pipeline.
public struct Curation: Sendable {
    public let log: EventLog

    public init(log: EventLog) { self.log = log }

    // MARK: Symbols

    /// Parses a symbol and completes an SC symbol's year from the dataset when it is missing.
    public func resolveSymbol(_ text: String) throws -> ResolutionSymbol {
        let s: ResolutionSymbol
        do {
            s = try ResolutionSymbol(parsing: text)
        } catch {
            throw InvalidInput(error.message)
        }
        guard
            let stored = try log.pool.read({ db in
                try String.fetchOne(db, sql: "SELECT symbol FROM records WHERE key = ?", arguments: [s.key])
            })
        else { return s }
        let record = try ResolutionSymbol(parsing: stored)
        // A Security Council number names one resolution: a year that contradicts the
        // record's is a mistake, not another record.
        if s.isComplete, let given = s.year, let actual = record.year, given != actual {
            throw InvalidInput(
                "\(s) does not match the record \(record): \(s.key) is the resolution of \(actual), not of \(given) (a year comes from the symbol or, without one, from adopted); write \(record)"
            )
        }
        return record
    }

    /// The symbol of an existing record, or an error that says it is not in the dataset.
    public func existing(_ text: String) throws -> ResolutionSymbol {
        let s = try resolveSymbol(text)
        guard try log.pool.read({ db in try CurationProjector.exists(db, key: s.key) }) else { throw RecordNotFound(symbol: s) }
        return s
    }

    // MARK: Reads

    public func state(_ symbol: ResolutionSymbol, cutoff: Cutoff? = nil) throws -> RecordState? {
        try log.pool.read { db in try RecordStateQuery.state(db, key: symbol.key, cutoff: cutoff) }
    }

    /// The cutoff of `--as-of TIME` or `--at EVENT-ID`.
    public func cutoff(asOf: String?, at: String?) throws -> Cutoff? {
        if let at {
            let e = try log.event(idOrPrefix: at)
            guard let t = HLCTime(e.time) else { throw InvalidInput("event \(at) has an unreadable time") }
            return Cutoff(time: t, id: e.id)
        }
        if let asOf {
            guard let t = HLCTime(asOf) else {
                throw InvalidInput(
                    "an as-of time is a UTC time from 1970 on, such as 2026-11-26T14:00:00Z, 2026-11-26T14:00:00.000Z#00003 or a date 2026-11-26; got \"\(asOf.prefix(40))\""
                )
            }
            // A time without a counter means the whole millisecond.
            return Cutoff(time: asOf.contains("#") ? t : HLCTime(millis: t.millis, counter: HybridLogicalClock.maxCounter))
        }
        return nil
    }

    public struct Summary: Sendable, Codable, Equatable {
        public let symbol: String
        public let body: String
        public let year: Int?
        public let title: String?
        public let withdrawn: Bool
    }

    /// Every record's symbol, in symbol order (GA by session and number, then SC by number),
    /// by the order's index.
    public func symbols() throws -> [String] {
        try log.pool.read { db in try String.fetchAll(db, sql: "SELECT symbol FROM records ORDER BY \(Self.symbolOrder)") }
    }

    public struct SearchHit: Sendable, Codable, Equatable {
        public let symbol: String
        public let title: String?
        public let snippet: String
        public let rank: Double
    }

    /// Full-text search over title, summary, INTERPOL role, notes and text; best first.
    public func search(_ text: String, limit: Int = 20) throws -> [SearchHit] {
        try search(text, limit: limit, offset: 0).items
    }

    public struct Conflict: Sendable, Codable, Equatable {
        public let symbol: String
        public let field: String
        public let provisional: Revision
        public let heads: [Revision]
    }

    /// How many fields are in conflict across the dataset (one read of the conflicts table).
    public func openConflictCount() throws -> Int {
        try log.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM conflicts") ?? 0 }
    }

    public func conflicts() throws -> [Conflict] {
        try log.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT c.key, c.field, r.symbol FROM conflicts c JOIN records r ON r.key = c.key ORDER BY c.key, c.field"
            )
            .map { row in
                let f = RecordField(rawValue: row[1])!
                let s = try RecordStateQuery.field(db, key: row[0], field: f, cutoff: nil)
                return Conflict(symbol: row[2], field: f.rawValue, provisional: s.winner!, heads: s.heads)
            }
        }
    }

    public struct HistoryEntry: Sendable, Codable, Equatable {
        public let id: String
        public let time: String
        public let author: String
        public var change: String
        public let field: String?
        public var old: [JSONValue]
        public let new: JSONValue?
        public var signature: String
        /// Why the event has no effect (revoked signer), nil when it counts.
        public var invalid: String?
        /// Its body was erased: by whom, when and why (the change it made is gone with it).
        public var redaction: Redaction? = nil
        /// Who wrote each of `old` (a field's replaced values), in the same order.
        public var oldAuthors: [String] = []
    }

    /// Every change to a record, oldest first, each event's signature re-checked from its stored bytes.
    public func history(_ symbol: ResolutionSymbol, field: RecordField? = nil) throws -> [HistoryEntry] {
        // One read for the entries, their stored events and why any is invalid: under load a
        // read per entry queued for a reader connection each time.
        var (entries, stored, invalid) = try log.pool.read { db in
            var out = try Self.revisionEntries(db, symbol, field: field)
            if field == nil { out += try Self.otherEntries(db, symbol) }
            var stored: [String: StoredEvent] = [:]
            var invalid: [String: String] = [:]
            let event = try db.cachedStatement(sql: StoredEvent.selectSQL + " WHERE e.id = ?")
            let reason = try db.cachedStatement(sql: "SELECT reason FROM invalid_events WHERE event_id = ?")
            for id in Set(out.map(\.id)) {
                stored[id] = try Row.fetchOne(event, arguments: [id]).map(StoredEvent.init(row:))
                invalid[id] = try String.fetchOne(reason, arguments: [id])
            }
            return (out, stored, invalid)
        }
        // A redacted event left no facts to show a change: it shows as its redaction.
        if field == nil {
            let shown = Set(entries.map(\.id))
            for (target, r) in try log.redactedEvents(subject: symbol.description) where !shown.contains(target.id) {
                entries.append(
                    HistoryEntry(
                        id: target.id, time: target.time, author: target.author, change: target.type, field: nil, old: [], new: nil,
                        signature: "", invalid: nil, redaction: r))
                stored[target.id] = target
            }
        }
        entries.sort { ($0.time, $0.id, $0.field ?? "") < ($1.time, $1.id, $1.field ?? "") }
        ChangeText.relabel(&entries, change: \.change, old: \.old, new: \.new)
        Self.markSignatures(&entries, stored: stored, invalid: invalid)
        return entries
    }

    /// The field revisions of a record (one field's, when named), each with the values it replaced.
    static func revisionEntries(_ db: Database, _ symbol: ResolutionSymbol, field: RecordField?) throws -> [HistoryEntry] {
        let revs = try Row.fetchAll(
            db,
            sql:
                "SELECT event_id, field, value, time, author FROM cur_revisions WHERE key = ?\(field == nil ? "" : " AND field = ?") ORDER BY time, event_id",
            arguments: field == nil ? [symbol.key] : [symbol.key, field!.rawValue])
        return try revs.map { r in
            let f: String = r[1]
            let olds = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.value, p.author FROM cur_bases b JOIN cur_revisions p ON p.event_id = b.base_id AND p.field = b.field
                    WHERE b.event_id = ? AND b.field = ? ORDER BY p.time, p.event_id
                    """, arguments: [r[0] as String, f])
            return HistoryEntry(
                id: r[0], time: r[3], author: r[4], change: "set", field: f,
                old: try olds.map { try JSONParser.parse($0[0] as String) },
                new: try JSONParser.parse(r[2] as String), signature: "", invalid: nil, oldAuthors: olds.map { $0[1] })
        }
    }

    /// A record's creation, its set adds and removes, and its withdrawals and restorations.
    static func otherEntries(_ db: Database, _ symbol: ResolutionSymbol) throws -> [HistoryEntry] {
        var out: [HistoryEntry] = []
        for r in try Row.fetchAll(db, sql: "SELECT event_id, time, author FROM cur_created WHERE key = ?", arguments: [symbol.key]) {
            out.append(
                HistoryEntry(
                    id: r[0], time: r[1], author: r[2], change: "created", field: nil, old: [], new: nil, signature: "", invalid: nil))
        }
        for r in try Row.fetchAll(
            db, sql: "SELECT event_id, time, author, kind, value FROM cur_set_adds WHERE key = ?", arguments: [symbol.key])
        {
            out.append(
                HistoryEntry(
                    id: r[0], time: r[1], author: r[2], change: "\(r[3] as String) added", field: nil, old: [],
                    new: try JSONParser.parse(r[4] as String), signature: "", invalid: nil))
        }
        for r in try Row.fetchAll(
            db, sql: "SELECT DISTINCT event_id, time, author, kind, item FROM cur_set_removes WHERE key = ?", arguments: [symbol.key])
        {
            out.append(
                HistoryEntry(
                    id: r[0], time: r[1], author: r[2], change: "\(r[3] as String) removed", field: nil,
                    old: [.string(r[4])], new: nil, signature: "", invalid: nil))
        }
        for r in try Row.fetchAll(
            db, sql: "SELECT event_id, time, author, withdrawn, reason FROM cur_status WHERE key = ?", arguments: [symbol.key])
        {
            out.append(
                HistoryEntry(
                    id: r[0], time: r[1], author: r[2], change: (r[3] as Bool) ? "withdrawn" : "restored", field: nil, old: [],
                    new: (r[4] as String?).map { .string($0) }, signature: "", invalid: nil))
        }
        return out
    }

    /// Each entry's signature, re-checked once per event from its stored bytes, and why it has no effect.
    static func markSignatures(_ entries: inout [HistoryEntry], stored: [String: StoredEvent], invalid: [String: String]) {
        var checked: [String: String] = [:]
        for k in entries.indices {
            let id = entries[k].id
            if checked[id] == nil {
                if let e = stored[id] {
                    switch WireFormat.verifyStored(
                        envelopeBytes: e.envelopeBytes, signature: e.signature, bodyBytes: e.bodyBytes, storedID: e.id)
                    {
                    case .success: checked[id] = e.bodyBytes == nil ? "valid (envelope; body erased)" : "valid"
                    case .failure(let r): checked[id] = "BAD (\(r.code.rawValue))"
                    }
                } else {
                    checked[id] = "missing"
                }
            }
            entries[k].signature = checked[id]!
            entries[k].invalid = invalid[id]
        }
    }

    /// The review chain containing `symbol`, oldest first: follows `reviews` links back to
    /// the first resolution, then forward through the records that review it.
    public func chain(_ symbol: ResolutionSymbol) throws -> [ResolutionSymbol] {
        try log.pool.read { db in
            func reviewed(by key: String) throws -> String? {
                let targets = try String.fetchAll(
                    db, sql: "SELECT item FROM record_items WHERE key = ? AND kind = 'link' AND item LIKE 'reviews %' ORDER BY item",
                    arguments: [key])
                for t in targets {
                    let k = String(t.dropFirst("reviews ".count))
                    if try CurationProjector.exists(db, key: k) { return k }
                }
                return nil
            }
            func reviewers(of key: String) throws -> [String] {
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT i.key FROM record_items i JOIN records r ON r.key = i.key WHERE i.kind = 'link' AND i.item = ? ORDER BY r.year, r.key",
                    arguments: ["reviews " + key])
            }
            var root = symbol.key
            var seen: Set<String> = [root]
            while let prev = try reviewed(by: root), seen.insert(prev).inserted { root = prev }
            var out = [root]
            var visited: Set<String> = [root]
            var current = root
            while let next = try reviewers(of: current).first(where: { !visited.contains($0) }) {
                out.append(next)
                visited.insert(next)
                current = next
            }
            return try out.map { k in
                try ResolutionSymbol(parsing: try String.fetchOne(db, sql: "SELECT symbol FROM records WHERE key = ?", arguments: [k]) ?? k)
            }
        }
    }

    /// A review chain as people read it: each record, whether it is withdrawn, and whether
    /// the `reviews` links loop (possible only when concurrent edits on two nodes each
    /// added one half of a loop; authoring refuses a link that would close one).
    public struct ChainView: Sendable, Equatable {
        public let records: [ResolutionSymbol]
        public let withdrawn: Set<String>
        public let loops: Bool
    }

    public func chainView(_ symbol: ResolutionSymbol) throws -> ChainView {
        let records = try chain(symbol)
        let withdrawn = try log.pool.read { db in
            try Set(
                records.filter { try Bool.fetchOne(db, sql: "SELECT withdrawn FROM records WHERE key = ?", arguments: [$0.key]) == true }
                    .map(\.key))
        }
        let loops = try log.pool.read { db in
            // Following `reviews` back from the start of the chain reaches a record already seen.
            var key = symbol.key
            var seen: Set<String> = [key]
            while let prev = try String.fetchOne(
                db,
                sql:
                    "SELECT substr(item, 9) FROM record_items WHERE key = ? AND kind = 'link' AND item LIKE 'reviews %' ORDER BY item LIMIT 1",
                arguments: [key])
            {
                guard seen.insert(prev).inserted else { return true }
                key = prev
            }
            return false
        }
        return ChainView(records: records, withdrawn: withdrawn, loops: loops)
    }

    /// Links pointing at this record from others (`reviews`, `recalls` ... in reverse).
    public func incomingLinks(_ symbol: ResolutionSymbol) throws -> [(rel: String, from: String)] {
        try log.pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT substr(i.item, 1, instr(i.item, ' ') - 1), r.symbol FROM record_items i JOIN records r ON r.key = i.key WHERE i.kind = 'link' AND substr(i.item, instr(i.item, ' ') + 1) = ? ORDER BY r.key",
                arguments: [symbol.key]
            ).map { ($0[0], $0[1]) }
        }
    }

    /// Whether a link target names a record of the dataset, and its full symbol if so.
    public func resolveTarget(_ target: ResolutionSymbol) throws -> String? {
        try log.pool.read { db in try String.fetchOne(db, sql: "SELECT symbol FROM records WHERE key = ?", arguments: [target.key]) }
    }

    /// SHA-256 over the canonical dump of the materialised read models: equal on two nodes
    /// exactly when they show the same dataset.
    public func digest() throws -> String {
        try log.pool.read { db in
            var out: [UInt8] = []
            // Named columns: what a node shows, never a local rowid or a column added later.
            let recordColumns = ["key", "symbol", "body", "year", "withdrawn"] + RecordField.allCases.map(CurationProjector.column)
            for (table, columns, order) in [
                ("records", recordColumns, "key"), ("record_items", ["key", "kind", "item", "value"], "key, kind, item"),
                ("conflicts", ["key", "field", "heads"], "key, field"), ("members", MembershipBook.digestColumns, "key"),
            ] {
                out += Array("\(table)\n".utf8)
                for row in try Row.fetchAll(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY \(order)") {
                    let cells: [JSONValue] = row.databaseValues.map { v in
                        switch v.storage {
                        case .null: return .null
                        case .int64(let i): return .int(Int(i))
                        case .double(let d): return .number(d)
                        case .string(let s): return .string(s)
                        case .blob(let b): return .string(Hex.encode(b))
                        }
                    }
                    out += JSONValue.array(cells).canonicalBytes + [0x0A]
                }
            }
            return ContentHash.sha256Hex(out)
        }
    }
}
