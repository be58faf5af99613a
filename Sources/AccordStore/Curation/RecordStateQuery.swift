import AccordCore
import GRDB

/// The parts of a record's materialised rows that a batch of events can change apart: its
/// `records` row (fields and status, with the search entry and the conflicts) and its items.
struct RecordParts: OptionSet, Hashable {
    let rawValue: UInt8
    static let row = RecordParts(rawValue: 1)
    static let items = RecordParts(rawValue: 2)
    static let all: RecordParts = [.row, .items]

    /// What an event of this kind changes.
    init(of event: DomainEvent) {
        switch event {
        case .recordCreated: self = .all
        case .fieldSet, .withdrawn, .restored: self = .row
        case .topicsAdded, .topicsRemoved, .linksAdded, .linksRemoved, .sourcesAdded, .sourcesRemoved: self = .items
        }
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }
}

/// Loads one record's valid facts from the curation tables; `RecordFold` (AccordCore)
/// turns them into its state, now or as of a cut-off. The materialised tables, `accord
/// show --as-of` and the edit checks all come from this one fold.
enum RecordStateQuery {
    static let createdSQL = "SELECT event_id, symbol, time FROM cur_created WHERE key = ? AND valid = 1"
    static let revisionsSQL = "SELECT event_id, field, value, author, time FROM cur_revisions WHERE key = ? AND valid = 1"
    static let basesSQL = """
        SELECT b.base_id, b.field, b.event_id FROM cur_revisions r
        JOIN cur_bases b ON b.event_id = r.event_id AND b.field = r.field
        WHERE r.key = ? AND r.valid = 1
        """
    static let addsSQL = "SELECT event_id, kind, item, value, time FROM cur_set_adds WHERE key = ? AND valid = 1"
    static let removesSQL = "SELECT event_id, kind, item, seen_id, time FROM cur_set_removes WHERE key = ? AND valid = 1"
    static let statusSQL = "SELECT event_id, withdrawn, time FROM cur_status WHERE key = ? AND valid = 1"

    /// The facts that can still show now: the earliest creation, revisions no valid
    /// revision replaced, adds no valid removal saw, the latest status. The fold of these
    /// equals the fold of all facts without a cut-off, at a cost bounded by what the record
    /// shows rather than by its history (the `replaced` and `removed` counts, partial indexes).
    static let liveCreatedSQL = createdSQL + " ORDER BY time, event_id LIMIT 1"
    static let liveRevisionsSQL =
        "SELECT event_id, field, value, author, time FROM cur_revisions WHERE key = ? AND valid = 1 AND replaced = 0"
    static let liveAddsSQL = "SELECT event_id, kind, item, value, time FROM cur_set_adds WHERE key = ? AND valid = 1 AND removed = 0"
    static let liveStatusSQL = statusSQL + " ORDER BY time DESC, event_id DESC LIMIT 1"

    /// The record's valid facts, read with the connection's cached statements; with
    /// `live`, only those that can still show now (see `liveRevisionsSQL`).
    /// With `parts`, only the facts of those parts of the record (always its creations).
    static func facts(_ db: Database, key: String, live: Bool = false, parts: RecordParts = .all) throws -> RecordFacts {
        var f = RecordFacts()
        func each(_ sql: String, _ row: (RawStatement) throws -> Void) throws {
            let s = try RawStatement(cached: db, sql: sql)
            s.bind(1, key)
            try s.rows(row)
        }
        try each(live ? liveCreatedSQL : createdSQL) { r in
            f.creations.append(.init(id: r.text(0) ?? "", symbol: r.text(1) ?? "", time: r.text(2) ?? ""))
        }
        if parts.contains(.row) {
            try each(live ? liveRevisionsSQL : revisionsSQL) { r in
                guard let field = RecordField(rawValue: r.text(1) ?? "") else { return }
                f.revisions.append(
                    .init(id: r.text(0) ?? "", field: field, value: r.text(2) ?? "null", author: r.text(3) ?? "", time: r.text(4) ?? ""))
            }
            if !live {
                try each(basesSQL) { r in
                    guard let field = RecordField(rawValue: r.text(1) ?? "") else { return }
                    f.bases.append(.init(base: r.text(0) ?? "", field: field, replacer: r.text(2) ?? ""))
                }
            }
            try each(live ? liveStatusSQL : statusSQL) { r in
                f.statuses.append(.init(id: r.text(0) ?? "", withdrawn: r.int(1) != 0, time: r.text(2) ?? ""))
            }
        }
        if parts.contains(.items) {
            try each(live ? liveAddsSQL : addsSQL) { r in
                guard let kind = ItemKind(rawValue: r.text(1) ?? "") else { return }
                f.adds.append(
                    .init(id: r.text(0) ?? "", kind: kind, item: r.text(2) ?? "", value: r.text(3) ?? "null", time: r.text(4) ?? ""))
            }
            if !live {
                try each(removesSQL) { r in
                    guard let kind = ItemKind(rawValue: r.text(1) ?? "") else { return }
                    f.removes.append(
                        .init(id: r.text(0) ?? "", kind: kind, item: r.text(2) ?? "", seen: r.text(3) ?? "", time: r.text(4) ?? ""))
                }
            }
        }
        return f
    }

    /// The state now (from the live facts) or as of a cut-off (from all facts): one fold.
    /// With `parts`, only those parts of the state are right (the others are empty).
    static func state(_ db: Database, key: String, cutoff: Cutoff?, parts: RecordParts = .all) throws -> RecordState? {
        RecordFold.state(try facts(db, key: key, live: cutoff == nil, parts: parts), cutoff: cutoff)
    }

    /// One field's heads; no heads when the record or the field has none.
    static func field(_ db: Database, key: String, field: RecordField, cutoff: Cutoff?) throws -> FieldState {
        try state(db, key: key, cutoff: cutoff)?.fields[field] ?? FieldState(heads: [])
    }
}
