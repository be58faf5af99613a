public import AccordCore
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
