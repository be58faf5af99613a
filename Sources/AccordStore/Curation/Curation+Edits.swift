public import AccordCore
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
            case .rejected(let r) where r.code == .unauthorized: throw NotAuthorized("refused: \(r.message)")
            case .rejected(let r): throw EditRefused("refused: \(r.message)")
            case .invalid(_, let reason): throw EditRefused("stored without effect: \(reason)")
            }
        }
    }

    /// A new record. An SC symbol without its year takes it from `adopted`.
    @discardableResult
    public func add(_ symbolText: String, fields: [RecordField: JSONValue], key: SigningKey) throws -> ResolutionSymbol {
        let symbol = try completedSymbol(symbolText, adopted: fields[.adopted]?.stringValue)
        try edit(.add(symbol, fields: fields), key: key)
        return symbol
    }

    /// The complete symbol of a new record: an SC symbol without its year takes it from `adopted`.
    public func completedSymbol(_ symbolText: String, adopted: String?) throws -> ResolutionSymbol {
        var symbol = try resolveSymbol(symbolText)
        if let adopted, let why = symbol.contradiction(adopted: adopted) { throw InvalidInput(why) }
        symbol = symbol.completed(year: adopted.flatMap { Int($0.prefix(4)) })
        guard symbol.isComplete else {
            throw InvalidInput("\(symbol) needs its year: write it as \(symbol) (YEAR) or give --adopted YYYY-MM-DD")
        }
        return symbol
    }

    func liveAdds(_ symbol: ResolutionSymbol, kind: String, item: String) throws -> [String] {
        try log.pool.read { db in try Self.liveAdds(db, symbol, kind: kind, item: item) }
    }

    /// Sets a field. Refused while the field is in conflict (use `resolve`); a value equal
    /// to the current one is a no-op (returns nil).
    @discardableResult
    public func set(
        _ symbol: ResolutionSymbol, _ field: RecordField, _ value: JSONValue, key: SigningKey, resolving: Bool = false
    )
        throws -> String?
    {
        try edit(resolving ? .resolve(symbol, field, value) : .set(symbol, field, value), key: key).first
    }

    /// Adds topics not yet present; returns nil when there was nothing to add.
    @discardableResult
    public func tag(_ symbol: ResolutionSymbol, _ topics: [String], key: SigningKey) throws -> String? {
        try edit(.tag(symbol, topics), key: key).first
    }

    @discardableResult
    public func untag(_ symbol: ResolutionSymbol, _ topics: [String], key: SigningKey) throws -> String? {
        try edit(.untag(symbol, topics), key: key).first
    }

    @discardableResult
    public func link(_ symbol: ResolutionSymbol, _ links: [Link], key: SigningKey) throws -> String? {
        try edit(.link(symbol, links), key: key).first
    }

    @discardableResult
    public func unlink(_ symbol: ResolutionSymbol, _ links: [Link], key: SigningKey) throws -> String? {
        try edit(.unlink(symbol, links), key: key).first
    }

    @discardableResult
    public func addSources(_ symbol: ResolutionSymbol, _ sources: [Source], key: SigningKey) throws -> String? {
        try edit(.addSources(symbol, sources), key: key).first
    }

    @discardableResult
    public func removeSources(_ symbol: ResolutionSymbol, urls: [String], key: SigningKey) throws -> String? {
        try edit(.removeSources(symbol, urls: urls), key: key).first
    }

    public func withdraw(_ symbol: ResolutionSymbol, reason: String?, key: SigningKey) throws {
        try edit(.withdraw(symbol, reason: reason), key: key)
    }

    public func restore(_ symbol: ResolutionSymbol, key: SigningKey) throws {
        try edit(.restore(symbol), key: key)
    }
}
