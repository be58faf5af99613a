public import AccordCore
import Foundation
public import GRDB

/// An edit a curator asks for, before it is signed: what `accord set`, `tag`, ... and the
/// web UI's forms say. `Curation.drafts(_:db:)` turns it into event drafts against the
/// dataset as one transaction sees it, applying the same rules for every client: the CLI
/// signs the drafts with its key inside that transaction; a browser gets them from
/// `POST /api/v1/drafts`, signs them itself and posts them to `/api/v1/events`.
public enum CurationEdit: Sendable, Equatable {
    /// A new record (the symbol complete, e.g. from `Curation.completedSymbol`).
    case add(ResolutionSymbol, fields: [RecordField: JSONValue])
    /// Sets a field. `seen`: the heads the editor's value replaces, as the editor saw them
    /// (nil: whatever they are now); when they are no longer the heads, the edit is refused
    /// as changed meanwhile.
    case set(ResolutionSymbol, RecordField, JSONValue, seen: [String]? = nil)
    /// Chooses the value of a field in conflict (replaces every head).
    case resolve(ResolutionSymbol, RecordField, JSONValue)
    case tag(ResolutionSymbol, [String])
    case untag(ResolutionSymbol, [String])
    case link(ResolutionSymbol, [Link])
    case unlink(ResolutionSymbol, [Link])
    case addSources(ResolutionSymbol, [Source])
    case removeSources(ResolutionSymbol, urls: [String])
    case withdraw(ResolutionSymbol, reason: String?)
    case restore(ResolutionSymbol)

    public var symbol: ResolutionSymbol {
        switch self {
        case .add(let s, _), .set(let s, _, _, _), .resolve(let s, _, _), .tag(let s, _), .untag(let s, _), .link(let s, _),
            .unlink(let s, _), .addSources(let s, _), .removeSources(let s, _), .withdraw(let s, _), .restore(let s):
            return s
        }
    }
}

extension Curation {
    /// The drafts `edit` becomes now; an edit that changes nothing gives none.
    /// Throws `RecordNotFound`, `EditConflict` or `InvalidInput`.
    public static func drafts(_ edit: CurationEdit, db: Database) throws -> [EventDraft] {
        let symbol = edit.symbol
        if case .add(_, let fields) = edit { return try addDrafts(symbol, fields: fields, db: db) }
        guard let state = try RecordStateQuery.state(db, key: symbol.key, cutoff: nil) else { throw RecordNotFound(symbol: symbol) }
        func one(_ e: DomainEvent) -> [EventDraft] { [e.draft] }
        switch edit {
        case .add: return []
        case .set(_, let field, let raw, let seen):
            return try setDrafts(symbol, field, raw, seen: seen, state: state)
        case .resolve(_, let field, let raw):
            let value = try validated(field, raw, symbol)
            let current = state.fields[field] ?? FieldState(heads: [])
            guard current.inConflict else { throw EditConflict("\(symbol) \(field.rawValue) is not in conflict; use `accord set`") }
            return one(.fieldSet(symbol, field: field, value: value, base: current.heads.map(\.id)))
        case .tag(_, let topics):
            var new: [String] = []
            for n in try normalised(topics) where !state.topics.contains(n) && !new.contains(n) { new.append(n) }
            return new.isEmpty ? [] : one(.topicsAdded(symbol, new))
        case .untag(_, let topics):
            let names = try normalised(topics)
            let seen = try seenAdds(db, symbol, kind: "topic", items: names) { "\(symbol) has no topic \"\($0)\"" }
            return one(.topicsRemoved(symbol, names, seen: seen))
        case .link(_, let links):
            if let why = try reviewCycle(db, symbol, links) { throw InvalidInput(why) }
            let present = Set(state.links.map(\.item))
            let new = links.filter { !present.contains($0.item) }
            return new.isEmpty ? [] : one(.linksAdded(symbol, new))
        case .unlink(_, let links):
            let seen = try seenAdds(db, symbol, kind: "link", items: links.map(\.item)) { item in
                let l = links.first { $0.item == item }!
                return "\(symbol) has no link \(l.rel.rawValue) \(l.target)"
            }
            return one(.linksRemoved(symbol, links, seen: seen))
        case .addSources(_, let sources):
            let new = Source.changes(adding: sources, to: state.sources)
            return new.isEmpty ? [] : one(.sourcesAdded(symbol, new))
        case .removeSources(_, let urls):
            let seen = try seenAdds(db, symbol, kind: "source", items: urls) { "\(symbol) has no source \($0)" }
            return one(.sourcesRemoved(symbol, urls: urls, seen: seen))
        case .withdraw(_, let reason):
            guard !state.withdrawn else { throw EditConflict("\(symbol) is already withdrawn") }
            return one(.withdrawn(symbol, reason: reason))
        case .restore:
            guard state.withdrawn else { throw EditConflict("\(symbol) is not withdrawn") }
            return one(.restored(symbol))
        }
    }

    static func addDrafts(_ symbol: ResolutionSymbol, fields: [RecordField: JSONValue], db: Database) throws -> [EventDraft] {
        if try CurationProjector.exists(db, key: symbol.key) {
            throw EditConflict("\(symbol) is already in the dataset; change it with `accord set`")
        }
        if let adopted = fields[.adopted]?.stringValue, let why = symbol.contradiction(adopted: adopted) { throw InvalidInput(why) }
        return [DomainEvent.recordCreated(symbol, fields: fields.filter { !$0.value.isNull }).draft]
    }

    static func setDrafts(
        _ symbol: ResolutionSymbol, _ field: RecordField, _ raw: JSONValue, seen: [String]?, state: RecordState
    ) throws -> [EventDraft] {
        let value = try validated(field, raw, symbol)
        let current = state.fields[field] ?? FieldState(heads: [])
        if let seen, Set(seen) != Set(current.heads.map(\.id)) {
            let now = current.winner.map { "\(ChangeText.value($0.value)) (by \($0.author), \($0.time))" } ?? "empty"
            throw EditConflict("\(symbol) \(field.rawValue) changed meanwhile: it is now \(now); reload, then make your edit again")
        }
        if current.inConflict {
            throw EditConflict(
                "\(symbol) \(field.rawValue) is in conflict (\(current.heads.count) values, see `accord conflicts`); choose the value with `accord resolve`"
            )
        }
        if current.value == value { return [] }
        return [DomainEvent.fieldSet(symbol, field: field, value: value, base: current.heads.map(\.id)).draft]
    }

    static func normalised(_ topics: [String]) throws -> [String] {
        var out: [String] = []
        for t in topics {
            do { out.append(try Topic.normalise(t)) } catch { throw InvalidInput(error.message) }
        }
        return out
    }

    /// The live adds a removal of `items` sees; an item the record does not hold is refused
    /// with `missing(item)`.
    static func seenAdds(
        _ db: Database, _ symbol: ResolutionSymbol, kind: String, items: [String], missing: (String) -> String
    ) throws -> [String] {
        var seen: Set<String> = []
        for item in items {
            let adds = try liveAdds(db, symbol, kind: kind, item: item)
            if adds.isEmpty { throw InvalidInput(missing(item)) }
            seen.formUnion(adds)
        }
        return seen.sorted()
    }

    static func validated(_ field: RecordField, _ raw: JSONValue, _ symbol: ResolutionSymbol) throws -> JSONValue {
        let value: JSONValue
        do { value = try field.validate(raw) } catch { throw InvalidInput(error.message) }
        if field == .adopted, let adopted = value.stringValue, let why = symbol.contradiction(adopted: adopted) { throw InvalidInput(why) }
        return value
    }

    /// The adds of `item` that no valid removal has seen.
    static func liveAdds(_ db: Database, _ symbol: ResolutionSymbol, kind: String, item: String) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT a.event_id FROM cur_set_adds a WHERE a.key = ? AND a.kind = ? AND a.item = ? AND a.valid = 1
                    AND NOT EXISTS (SELECT 1 FROM cur_set_removes r WHERE r.seen_id = a.event_id AND r.kind = a.kind AND r.item = a.item AND r.valid = 1)
                    """), arguments: [symbol.key, kind, item])
    }

    /// Why adding `links` to `symbol` would make a record review or supersede itself,
    /// directly or around a loop, or nil.
    static func reviewCycle(_ db: Database, _ symbol: ResolutionSymbol, _ links: [Link]) throws -> String? {
        for l in links where l.rel == .reviews || l.rel == .supersedes {
            if l.target.key == symbol.key { return "\(symbol) cannot \(l.rel.rawValue == "reviews" ? "review" : "supersede") itself" }
            // Follow the same relation from the target: reaching `symbol` closes a loop.
            var seen: Set<String> = [l.target.key]
            var frontier = [l.target.key]
            while let k = frontier.popLast() {
                let items = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT item FROM record_items WHERE key = ? AND kind = 'link' AND item LIKE ?"),
                    arguments: [k, l.rel.rawValue + " %"])
                for item in items {
                    let target = String(item.dropFirst(l.rel.rawValue.count + 1))
                    if target == symbol.key {
                        return "\(symbol) \(l.rel.rawValue) \(l.target) would close a loop: \(l.target) already leads back to \(symbol)"
                    }
                    if seen.insert(target).inserted { frontier.append(target) }
                }
            }
        }
        return nil
    }

    /// The drafts of `edit` as the dataset stands now (for a client that signs them itself).
    public func drafts(_ edit: CurationEdit) throws -> [EventDraft] {
        try log.pool.read { db in try Self.drafts(edit, db: db) }
    }

    /// What a client that signs for itself needs to sign an edit, read in one snapshot: the
    /// drafts, where the author's chain stands (they go after it) and the author's membership.
    public struct DraftsSnapshot: Sendable {
        public let dataset: String?
        public let drafts: [EventDraft]
        /// The author's last event here: seq, id and time (nil before its first).
        public let headSeq: Int?
        public let headID: String?
        public let headTime: String?
        /// The author as a current member, nil otherwise.
        public let member: Member?
    }

    /// `edit`'s drafts, or the one membership change, for `author`, with its chain head and membership.
    public func draftsSnapshot(_ edit: CurationEdit?, membership change: AuthorizationEvent?, author: String) throws -> DraftsSnapshot {
        try log.pool.read { db in
            let drafts = try change.map { [$0.draft] } ?? edit.map { try Self.drafts($0, db: db) } ?? []
            let head = try EventLog.chainHead(db, author: author)
            let member = try MembershipBook.state(db).members[author].flatMap { $0.validThroughSeq == nil ? $0 : nil }
            return DraftsSnapshot(
                dataset: try EventLog.meta(db, "dataset"), drafts: drafts, headSeq: head?.seq, headID: head?.id, headTime: head?.time,
                member: member)
        }
    }

    /// Signs `edit`'s drafts with `key` in the transaction that checked them.
    @discardableResult
    public func edit(_ edit: CurationEdit, key: SigningKey) throws -> [String] {
        try sign(key: key) { db in try Self.drafts(edit, db: db) }
    }
}
