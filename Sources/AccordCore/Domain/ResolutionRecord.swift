/// A record in the plain record format of Docs/records.md, used for seed data,
/// `import-records` and `export-records`.
public struct ResolutionRecord: Sendable, Hashable {
    public var symbol: ResolutionSymbol
    public var fields: [RecordField: JSONValue] = [:]
    public var topics: [String] = []
    public var links: [Link] = []
    public var sources: [Source] = []
    /// The keys (JSON) or columns (CSV) the source named: an import changes only these
    /// unless it replaces whole records. A record built in code names every column.
    public var present: Set<String> = Set(csvColumns)

    public init(symbol: ResolutionSymbol) { self.symbol = symbol }

    /// Records are equal by content; which columns their source named is not content.
    public static func == (a: Self, b: Self) -> Bool {
        a.symbol == b.symbol && a.fields == b.fields && a.topics == b.topics && a.links == b.links && a.sources == b.sources
    }

    public func hash(into h: inout Hasher) {
        h.combine(symbol)
        h.combine(fields)
        h.combine(topics)
        h.combine(links)
        h.combine(sources)
    }

    /// Whether the source named `column` (a field's raw value, or topics, links, sources).
    public func names(_ column: String) -> Bool { present.contains(column) }

    public static let csvColumns = [
        "symbol", "body", "adopted", "meeting", "title", "summary", "interpolRole", "vote", "topics", "links", "sources",
        "notes", "text",
    ]

    /// Reads one record object. An SC symbol without its year is completed from `adopted`.
    public init(json: JSONValue) throws(DomainError) {
        guard case .object(let o) = json else { throw DomainError("a record must be a JSON object") }
        let known = Set(Self.csvColumns)
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw DomainError("unknown key \"\(unknown)\"; keys: \(Self.csvColumns.joined(separator: ", "))")
        }
        guard let s = o["symbol"]?.stringValue else { throw DomainError("symbol is missing") }
        var symbol = try ResolutionSymbol(parsing: s)
        var fields: [RecordField: JSONValue] = [:]
        for f in RecordField.allCases {
            if let v = o[f.rawValue], !v.isNull {
                let value = try Self.field(f, v)
                if !value.isNull { fields[f] = value }
            }
        }
        if let adopted = fields[.adopted]?.stringValue, let why = symbol.contradiction(adopted: adopted) { throw DomainError(why) }
        symbol = symbol.completed(year: fields[.adopted]?.stringValue.flatMap { Int($0.prefix(4)) })
        if let body = o["body"], !body.isNull {
            guard body.stringValue == symbol.body.rawValue else {
                throw DomainError("body \(body.canonicalString) does not match symbol \(symbol) (\(symbol.body.rawValue))")
            }
        }
        self.init(symbol: symbol)
        self.fields = fields
        var topics: [String] = []
        for t in o["topics"]?.arrayValue ?? [] {
            guard let s = t.stringValue else { throw DomainError("topics must be strings") }
            topics.append(try Topic.normalise(s))
        }
        self.topics = Array(Set(topics)).sorted()
        var links: [Link] = []
        for l in o["links"]?.arrayValue ?? [] { links.append(try Link(json: l)) }
        self.links = Self.unique(links, by: \.item)
        var sources: [Source] = []
        for x in o["sources"]?.arrayValue ?? [] { sources.append(try Source(json: x)) }
        self.sources = Self.unique(sources, by: \.url)
        self.present = Set(o.keys)
    }

    static func field(_ f: RecordField, _ v: JSONValue) throws(DomainError) -> JSONValue {
        do {
            return try f.validate(v)
        } catch {
            throw DomainError("\(f.rawValue): \(error.message)")
        }
    }

    static func unique<T: Comparable>(_ items: [T], by key: (T) -> String) -> [T] {
        var seen = Set<String>()
        return items.sorted().filter { seen.insert(key($0)).inserted }
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["symbol": .string(symbol.description), "body": .string(symbol.body.rawValue)]
        for (f, v) in fields { o[f.rawValue] = v }
        o["topics"] = .array(topics.map { .string($0) })
        o["links"] = .array(links.map(\.json))
        o["sources"] = .array(sources.map(\.json))
        return .object(o)
    }

    /// One CSV row in `csvColumns` order.
    public var csvRow: [String] {
        func s(_ f: RecordField) -> String {
            guard let v = fields[f] else { return "" }
            switch f {
            case .meeting: return v.intValue.map(String.init) ?? ""
            case .vote: return (try? Vote(json: v).text) ?? ""
            default: return v.stringValue ?? ""
            }
        }
        return [
            symbol.description, symbol.body.rawValue, s(.adopted), s(.meeting), s(.title), s(.summary), s(.interpolRole),
            s(.vote), CSV.joinList(topics), CSV.joinList(links.map { "\($0.rel.rawValue):\($0.target)" }),
            sources.map { $0.label.isEmpty ? CSV.escape($0.url) : CSV.escape($0.url) + "|" + CSV.escape($0.label) }.joined(separator: ";"),
            s(.notes), s(.text),
        ]
    }

    /// Reads one CSV row given the header's column names.
    public init(csv row: [String], header: [String]) throws(DomainError) {
        var o: [String: JSONValue] = [:]
        for (k, name) in header.enumerated() {
            guard Self.csvColumns.contains(name) else { throw DomainError("unknown column \"\(name)\"") }
            let cell = k < row.count ? row[k] : ""
            // An empty cell in a named column clears it; an absent column leaves it alone.
            if cell.isEmpty {
                o[name] = .null
                continue
            }
            switch name {
            case "meeting":
                guard let n = Int(cell) else { throw DomainError("meeting must be a positive integer, got \"\(cell)\"") }
                o[name] = .int(n)
            case "vote": o[name] = try Vote(text: cell).json
            case "topics": o[name] = .array(CSV.splitList(cell).map { .string($0) })
            case "links":
                var links: [JSONValue] = []
                for part in CSV.splitList(cell) {
                    guard let colon = part.firstIndex(of: ":") else {
                        throw DomainError("a link is rel:target (e.g. reviews:A/RES/71/19), got \"\(part)\"")
                    }
                    links.append(["rel": .string(String(part[..<colon])), "target": .string(String(part[part.index(after: colon)...]))])
                }
                o[name] = .array(links)
            case "sources":
                o[name] = .array(
                    CSV.splitList(cell, keepEscapes: true).map { part in
                        let bits = CSV.splitList(part, separator: "|", maxSplits: 1)
                        return ["url": .string(bits.first ?? ""), "label": .string(bits.count > 1 ? bits[1] : "")]
                    })
            default: o[name] = .string(cell)
            }
        }
        try self.init(json: .object(o))
    }
}
