import AccordCore
import Foundation
import GRDB

/// Edits: each becomes one or more signed curation events through the ingest pipeline.
extension Curation {
    /// Signs and ingests the events; a rejection is an error that says why.
    @discardableResult
    public func author(_ events: [DomainEvent], key: SigningKey) throws -> [String] {
        try sign(events.map(\.draft), key: key)
    }

    /// Signs and ingests membership or redaction events.
    @discardableResult
    public func authorize(_ events: [AuthorizationEvent], key: SigningKey) throws -> [String] {
        try sign(events.map(\.draft), key: key)
    }

    /// The ids of the signed events; any event that did not count is an error saying why.
    func sign(_ drafts: [EventDraft], key: SigningKey) throws -> [String] {
        guard !drafts.isEmpty else { return [] }
        return try sign(key: key) { _ in drafts }
    }

    /// The same, with the drafts made (and checked) inside the write transaction.
    func sign(key: SigningKey, making: (Database) throws -> [EventDraft]) throws -> [String] {
        try log.author(key: key, making: making).map { o in
            switch o {
            case .accepted(let id), .duplicate(let id): return id
            case .rejected(let r): throw StoreError("refused: \(r.message)")
            case .invalid(_, let reason): throw StoreError("stored without effect: \(reason)")
            }
        }
    }

    /// A new record. An SC symbol without its year takes it from `adopted`.
    @discardableResult
    public func add(_ symbolText: String, fields: [RecordField: JSONValue], key: SigningKey) throws -> ResolutionSymbol {
        var symbol = try resolveSymbol(symbolText)
        if let adopted = fields[.adopted]?.stringValue, let why = symbol.contradiction(adopted: adopted) { throw StoreError(why) }
        symbol = symbol.completed(year: fields[.adopted]?.stringValue.flatMap { Int($0.prefix(4)) })
        guard symbol.isComplete else {
            throw StoreError("\(symbol) needs its year: write it as \(symbol) (YEAR) or give --adopted YYYY-MM-DD")
        }
        let created = symbol
        _ = try sign(key: key) { db in
            if try CurationProjector.exists(db, key: created.key) {
                throw StoreError("\(created) is already in the dataset; change it with `accord set`")
            }
            return [DomainEvent.recordCreated(created, fields: fields.filter { !$0.value.isNull }).draft]
        }
        return symbol
    }

    /// Sets a field. Refused while the field is in conflict (use `resolve`); a value equal
    /// to the current one is a no-op (returns nil).
    @discardableResult
    public func set(
        _ symbol: ResolutionSymbol, _ field: RecordField, _ value: JSONValue, key: SigningKey, resolving: Bool = false
    )
        throws -> String?
    {
        let value = try field.validate(value)
        if field == .adopted, let adopted = value.stringValue, let why = symbol.contradiction(adopted: adopted) { throw StoreError(why) }
        // The check and the write in one transaction: the base is the heads this write replaces.
        return try sign(key: key) { db in
            let current = try RecordStateQuery.field(db, key: symbol.key, field: field, cutoff: nil)
            if resolving {
                guard current.inConflict else { throw StoreError("\(symbol) \(field.rawValue) is not in conflict; use `accord set`") }
            } else {
                if current.inConflict {
                    throw StoreError(
                        "\(symbol) \(field.rawValue) is in conflict (\(current.heads.count) values, see `accord conflicts`); choose the value with `accord resolve`"
                    )
                }
                if current.value == value { return [] }
            }
            return [DomainEvent.fieldSet(symbol, field: field, value: value, base: current.heads.map(\.id)).draft]
        }.first
    }

    func liveAdds(_ symbol: ResolutionSymbol, kind: String, item: String) throws -> [String] {
        try log.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT a.event_id FROM cur_set_adds a WHERE a.key = ? AND a.kind = ? AND a.item = ? AND a.valid = 1
                    AND NOT EXISTS (SELECT 1 FROM cur_set_removes r WHERE r.seen_id = a.event_id AND r.kind = a.kind AND r.item = a.item AND r.valid = 1)
                    """, arguments: [symbol.key, kind, item])
        }
    }

    /// Adds topics not yet present; returns nil when there was nothing to add.
    @discardableResult
    public func tag(_ symbol: ResolutionSymbol, _ topics: [String], key: SigningKey) throws -> String? {
        let state = try state(symbol)
        var new: [String] = []
        for t in topics {
            let n: String
            do { n = try Topic.normalise(t) } catch { throw StoreError(error.message) }
            if !(state?.topics.contains(n) ?? false) && !new.contains(n) { new.append(n) }
        }
        if new.isEmpty { return nil }
        return try author([.topicsAdded(symbol, new)], key: key).first
    }

    @discardableResult
    public func untag(_ symbol: ResolutionSymbol, _ topics: [String], key: SigningKey) throws -> String? {
        var names: [String] = []
        var seen: [String] = []
        for t in topics {
            let n: String
            do { n = try Topic.normalise(t) } catch { throw StoreError(error.message) }
            let adds = try liveAdds(symbol, kind: "topic", item: n)
            if adds.isEmpty { throw StoreError("\(symbol) has no topic \"\(n)\"") }
            names.append(n)
            seen += adds
        }
        return try author([.topicsRemoved(symbol, names, seen: Array(Set(seen)))], key: key).first
    }

    @discardableResult
    public func link(_ symbol: ResolutionSymbol, _ links: [Link], key: SigningKey) throws -> String? {
        let present = Set(try state(symbol)?.links.map(\.item) ?? [])
        let new = links.filter { !present.contains($0.item) }
        if new.isEmpty { return nil }
        return try author([.linksAdded(symbol, new)], key: key).first
    }

    @discardableResult
    public func unlink(_ symbol: ResolutionSymbol, _ links: [Link], key: SigningKey) throws -> String? {
        var seen: [String] = []
        for l in links {
            let adds = try liveAdds(symbol, kind: "link", item: l.item)
            if adds.isEmpty { throw StoreError("\(symbol) has no link \(l.rel.rawValue) \(l.target)") }
            seen += adds
        }
        return try author([.linksRemoved(symbol, links, seen: Array(Set(seen)))], key: key).first
    }

    @discardableResult
    public func addSources(_ symbol: ResolutionSymbol, _ sources: [Source], key: SigningKey) throws -> String? {
        let present = Set(try state(symbol)?.sources.map { "\($0.url)|\($0.label)" } ?? [])
        let new = sources.filter { !present.contains("\($0.url)|\($0.label)") }
        if new.isEmpty { return nil }
        return try author([.sourcesAdded(symbol, new)], key: key).first
    }

    @discardableResult
    public func removeSources(_ symbol: ResolutionSymbol, urls: [String], key: SigningKey) throws -> String? {
        var seen: [String] = []
        for u in urls {
            let adds = try liveAdds(symbol, kind: "source", item: u)
            if adds.isEmpty { throw StoreError("\(symbol) has no source \(u)") }
            seen += adds
        }
        return try author([.sourcesRemoved(symbol, urls: urls, seen: Array(Set(seen)))], key: key).first
    }

    public func withdraw(_ symbol: ResolutionSymbol, reason: String?, key: SigningKey) throws {
        guard try state(symbol)?.withdrawn == false else { throw StoreError("\(symbol) is already withdrawn") }
        try author([.withdrawn(symbol, reason: reason)], key: key)
    }

    public func restore(_ symbol: ResolutionSymbol, key: SigningKey) throws {
        guard try state(symbol)?.withdrawn == true else { throw StoreError("\(symbol) is not withdrawn") }
        try author([.restored(symbol)], key: key)
    }
}
