import AccordCore
import GRDB

/// A point in the log's clock order: events at or before (time, id) count.
public struct Cutoff: Sendable, Hashable {
    public let time: String
    public let id: String

    /// Everything at or before `time` (any id), or at or before event `id` at that time.
    public init(time: HLCTime, id: String? = nil) {
        self.time = time.description
        self.id = id.flatMap { Hex.isSHA256($0) ? $0 : nil } ?? String(repeating: "f", count: 64)
    }

    /// SQL condition on a table alias's `time` and `event_id` columns; its three values
    /// are bound (`arguments`), never written into the SQL text.
    func sql(_ alias: String) -> String {
        "(\(alias).time < ? OR (\(alias).time = ? AND \(alias).event_id <= ?))"
    }

    var arguments: [any DatabaseValueConvertible] { [time, time, id] }
}

/// The fold of one record, as queries over the curation tables: the current state when
/// `cutoff` is nil, the state as of a point otherwise. The materialised tables and
/// `accord show --as-of` both come from here.
enum RecordStateQuery {
    static func cond(_ cutoff: Cutoff?, _ alias: String) -> String {
        cutoff.map { " AND " + $0.sql(alias) } ?? ""
    }

    /// `leading` then the cut-off's values once per `cond` in the statement.
    static func arguments(_ leading: [any DatabaseValueConvertible], _ cutoff: Cutoff?, times: Int) -> StatementArguments {
        StatementArguments(leading + Array(repeating: cutoff?.arguments ?? [], count: times).flatMap { $0 })
    }

    /// The record's symbol: that of its earliest valid creation, nil when it has none.
    static func symbol(_ db: Database, key: String, cutoff: Cutoff?) throws -> ResolutionSymbol? {
        let s = try String.fetchOne(
            db,
            sql:
                "SELECT c.symbol FROM cur_created c WHERE c.key = ? AND c.valid = 1\(cond(cutoff, "c")) ORDER BY c.time, c.event_id LIMIT 1",
            arguments: arguments([key], cutoff, times: 1))
        return try s.map { try ResolutionSymbol(parsing: $0) }
    }

    static func field(_ db: Database, key: String, field: RecordField, cutoff: Cutoff?) throws -> FieldState {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.event_id, r.value, r.author, r.time FROM cur_revisions r
                WHERE r.key = ? AND r.field = ? AND r.valid = 1\(cond(cutoff, "r"))
                AND NOT EXISTS (
                    SELECT 1 FROM cur_bases b JOIN cur_revisions r2 ON r2.event_id = b.event_id AND r2.field = b.field
                    WHERE b.base_id = r.event_id AND b.field = r.field AND r2.valid = 1\(cond(cutoff, "r2")))
                """, arguments: arguments([key, field.rawValue], cutoff, times: 2))
        return FieldState(
            heads: try rows.map { row in
                Revision(id: row[0], value: try JSONParser.parse(row[1] as String), author: row[2], time: row[3])
            })
    }

    /// The surviving items of an add-wins set: adds no valid removal has seen. When an item
    /// was added more than once, the value of its latest add is kept.
    static func items(_ db: Database, key: String, kind: String, cutoff: Cutoff?) throws -> [(item: String, value: JSONValue)] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT a.item, a.value FROM cur_set_adds a
                WHERE a.key = ? AND a.kind = ? AND a.valid = 1\(cond(cutoff, "a"))
                AND NOT EXISTS (
                    SELECT 1 FROM cur_set_removes r
                    WHERE r.seen_id = a.event_id AND r.kind = a.kind AND r.item = a.item AND r.valid = 1\(cond(cutoff, "r")))
                ORDER BY a.item, a.time, a.event_id
                """, arguments: arguments([key, kind], cutoff, times: 2))
        var out: [(String, JSONValue)] = []
        for row in rows {
            let item: String = row[0]
            let value = try JSONParser.parse(row[1] as String)
            if out.last?.0 == item { out[out.count - 1].1 = value } else { out.append((item, value)) }
        }
        return out
    }

    static func withdrawn(_ db: Database, key: String, cutoff: Cutoff?) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql:
                "SELECT s.withdrawn FROM cur_status s WHERE s.key = ? AND s.valid = 1\(cond(cutoff, "s")) ORDER BY s.time DESC, s.event_id DESC LIMIT 1",
            arguments: arguments([key], cutoff, times: 1)) ?? false
    }

    static func state(_ db: Database, key: String, cutoff: Cutoff?) throws -> RecordState? {
        guard let symbol = try symbol(db, key: key, cutoff: cutoff) else { return nil }
        var fields: [RecordField: FieldState] = [:]
        for f in RecordField.allCases {
            let s = try field(db, key: key, field: f, cutoff: cutoff)
            if !s.heads.isEmpty { fields[f] = s }
        }
        return RecordState(
            symbol: symbol, withdrawn: try withdrawn(db, key: key, cutoff: cutoff), fields: fields,
            topics: try items(db, key: key, kind: "topic", cutoff: cutoff).map(\.item),
            links: try items(db, key: key, kind: "link", cutoff: cutoff).compactMap { try? Link(json: $0.value) },
            sources: try items(db, key: key, kind: "source", cutoff: cutoff).compactMap { try? Source(json: $0.value) })
    }
}
