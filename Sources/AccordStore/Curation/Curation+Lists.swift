import AccordCore
import Foundation
import GRDB

/// Lists and search by the page: filters, an order backed by an index, a total count.
extension Curation {
    /// The SQL of symbol order (GA by session and number, then SC by number), from the key.
    static let symbolOrder =
        "body, CAST(substr(key, 7) AS INTEGER), CAST(substr(key, 7 + instr(substr(key, 7), '/')) AS INTEGER)"

    public enum ListOrder: String, Sendable, CaseIterable {
        /// GA by session and number, then SC by number.
        case symbol
        /// Newest year first.
        case year
        case title
    }

    public enum ListStatus: String, Sendable, CaseIterable {
        case all, current, withdrawn
    }

    public struct ListQuery: Sendable, Equatable {
        public var body: ResolutionSymbol.Body?
        public var year: Int?
        public var topic: String?
        public var status: ListStatus = .all
        public var order: ListOrder = .symbol
        public var limit = 50
        public var offset = 0
        public init() {}
    }

    public struct Page<Item: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
        /// How many match in all.
        public let total: Int
        public let offset: Int
        public let limit: Int
        public let items: [Item]
    }

    /// The most one page holds.
    public static let maxPageSize = 500

    public func list(_ q: ListQuery) throws -> Page<Summary> {
        guard (1...Self.maxPageSize).contains(q.limit) else { throw InvalidInput("limit is 1 to \(Self.maxPageSize), got \(q.limit)") }
        guard q.offset >= 0 else { throw InvalidInput("offset must be 0 or more") }
        var filter = "WHERE 1"
        var args: [any DatabaseValueConvertible] = []
        if let body = q.body {
            filter += " AND r.body = ?"
            args.append(body.rawValue)
        }
        if let year = q.year {
            filter += " AND r.year = ?"
            args.append(year)
        }
        if let topic = q.topic {
            filter += " AND EXISTS (SELECT 1 FROM record_items i WHERE i.key = r.key AND i.kind = 'topic' AND i.item = ?)"
            do { args.append(try Topic.normalise(topic)) } catch { throw InvalidInput(error.message) }
        }
        switch q.status {
        case .all: break
        case .current: filter += " AND r.withdrawn = 0"
        case .withdrawn: filter += " AND r.withdrawn = 1"
        }
        let order: String
        switch q.order {
        case .symbol: order = Self.symbolOrder
        case .year:
            order =
                "year DESC, body DESC, CAST(substr(key, 7) AS INTEGER) DESC, CAST(substr(key, 7 + instr(substr(key, 7), '/')) AS INTEGER) DESC"
        case .title: order = "title COLLATE NOCASE, key"
        }
        return try log.pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM records r \(filter)", arguments: StatementArguments(args)) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT r.symbol, r.body, r.year, r.title, r.withdrawn FROM records r \(filter) ORDER BY \(order) LIMIT ? OFFSET ?",
                arguments: StatementArguments(args + [q.limit, q.offset]))
            return Page(
                total: total, offset: q.offset, limit: q.limit,
                items: rows.map { Summary(symbol: $0[0], body: $0[1], year: $0[2], title: $0[3], withdrawn: $0[4]) })
        }
    }

    /// The FTS5 query for what a user typed: every word, each also as a prefix
    /// (`cyber` finds `cybercrime`).
    static func searchQuery(_ text: String) throws -> String {
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !$0.properties.isWhitespace }) else {
            throw InvalidInput("search text has control characters; search for words")
        }
        let terms = text.split(whereSeparator: { $0.isWhitespace }).prefix(32).map {
            "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
        }
        guard !terms.isEmpty else { throw InvalidInput("search needs at least one word") }
        return terms.joined(separator: " ")
    }

    /// Full-text search over title, summary, INTERPOL role, notes and text, best first,
    /// by the page, with how many match in all.
    public func search(_ text: String, limit: Int, offset: Int = 0) throws -> Page<SearchHit> {
        guard (1...Self.maxPageSize).contains(limit) else { throw InvalidInput("limit is 1 to \(Self.maxPageSize), got \(limit)") }
        guard offset >= 0 else { throw InvalidInput("offset must be 0 or more") }
        let query = try Self.searchQuery(text)
        return try log.pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM record_search WHERE record_search MATCH ?", arguments: [query]) ?? 0
            let hits = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.symbol, r.title, snippet(record_search, -1, '[', ']', '…', 12), bm25(record_search, 10, 4, 6, 2, 1) AS rank
                    FROM record_search JOIN records r ON r.id = record_search.rowid
                    WHERE record_search MATCH ? ORDER BY rank, r.symbol LIMIT ? OFFSET ?
                    """, arguments: [query, limit, offset]
            ).map { SearchHit(symbol: $0[0], title: $0[1], snippet: $0[2], rank: $0[3]) }
            return Page(total: total, offset: offset, limit: limit, items: hits)
        }
    }
}

extension Curation.ListQuery {
    /// Reads a query from text parameters (`body`, `year`, `topic`, `status`, `sort`,
    /// `limit`, `offset`), as the API, the web UI and the CLI take them; empty means absent.
    public init(parameters p: [String: String]) throws {
        self.init()
        func value(_ k: String) -> String? { p[k].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ k: String) throws -> Int? {
            guard let v = value(k) else { return nil }
            guard let n = Int(v) else { throw InvalidInput("\(k) must be a whole number, got \"\(v.prefix(20))\"") }
            return n
        }
        if let b = value("body") {
            guard let x = ResolutionSymbol.Body(rawValue: b.uppercased()) else {
                throw InvalidInput("body is GA or SC, got \"\(b.prefix(20))\"")
            }
            body = x
        }
        year = try int("year")
        topic = value("topic")
        if let s = value("status") {
            guard let x = Curation.ListStatus(rawValue: s) else {
                throw InvalidInput(
                    "status is \(Curation.ListStatus.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s.prefix(20))\"")
            }
            status = x
        }
        if let s = value("sort") {
            guard let x = Curation.ListOrder(rawValue: s) else {
                throw InvalidInput(
                    "sort is \(Curation.ListOrder.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s.prefix(20))\"")
            }
            order = x
        }
        if let l = try int("limit") { limit = l }
        if let o = try int("offset") { offset = o }
    }
}

extension Curation {
    /// A record as the API and `accord show --json` give it: its fields, `withdrawn`, and
    /// `conflicts` (per field, each concurrent value with its event id, author key, the
    /// author's member name and time).
    public func recordJSON(_ state: RecordState) throws -> JSONValue {
        // Names only when a conflict shows authors (a membership read per record otherwise).
        let names = state.fields.values.contains(where: \.inConflict) ? try log.membership().members.mapValues(\.name) : [:]
        var o = state.record.json.objectValue ?? [:]
        o["withdrawn"] = .bool(state.withdrawn)
        var conflicts: [String: JSONValue] = [:]
        for (f, st) in state.fields where st.inConflict {
            conflicts[f.rawValue] = .array(
                st.heads.map {
                    [
                        "id": .string($0.id), "value": $0.value, "author": .string($0.author),
                        "authorName": names[$0.author].map(JSONValue.string) ?? .null, "time": .string($0.time),
                    ]
                })
        }
        o["conflicts"] = .object(conflicts)
        return .object(o)
    }
}
