/// One revision of a field: the value an event set, and who set it when.
public struct Revision: Sendable, Hashable, Codable {
    public let id: String
    public let value: JSONValue
    public let author: String
    public let time: String

    public init(id: String, value: JSONValue, author: String, time: String) {
        self.id = id
        self.value = value
        self.author = author
        self.time = time
    }
}

/// A value encodes as the JSON it is (a title is `"Alice's title"`, a vote an object), in the
/// API, `--json` output and exports alike: one JSON form everywhere.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            // Integers (every number a dataset holds) as integers, never `3.0`.
            if let i = intValue { try c.encode(i) } else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// A field as a register: its current heads (revisions no other revision replaced).
/// One head is the value; several are a conflict with a provisional winner.
public struct FieldState: Sendable, Hashable {
    /// Sorted by id.
    public let heads: [Revision]

    public init(heads: [Revision]) { self.heads = heads.sorted { $0.id < $1.id } }

    /// The deterministic provisional winner: latest clock, then highest id.
    public var winner: Revision? { heads.max { ($0.time, $0.id) < ($1.time, $1.id) } }
    public var value: JSONValue { winner?.value ?? .null }
    public var inConflict: Bool { heads.count > 1 }
}

/// The state of one record, as folded from its events (now, or as of a time).
public struct RecordState: Sendable, Hashable {
    public var symbol: ResolutionSymbol
    public var withdrawn: Bool
    public var fields: [RecordField: FieldState]
    public var topics: [String]
    public var links: [Link]
    public var sources: [Source]

    public init(
        symbol: ResolutionSymbol, withdrawn: Bool = false, fields: [RecordField: FieldState] = [:], topics: [String] = [],
        links: [Link] = [], sources: [Source] = []
    ) {
        self.symbol = symbol
        self.withdrawn = withdrawn
        self.fields = fields
        self.topics = topics.sorted()
        self.links = links.sorted()
        self.sources = sources.sorted()
    }

    public func value(_ f: RecordField) -> JSONValue { fields[f]?.value ?? .null }

    /// The record in the record format (Docs/records.md).
    public var record: ResolutionRecord {
        var r = ResolutionRecord(symbol: symbol)
        for f in RecordField.allCases { r.fields[f] = value(f).isNull ? nil : value(f) }
        r.topics = topics
        r.links = links
        r.sources = sources
        return r
    }

    /// The canonical JSON of this state: what the dataset digest hashes. Only
    /// set-derived content goes in (no arrival order, no local positions).
    public var digestJSON: JSONValue {
        var f: [String: JSONValue] = [:]
        for (k, s) in fields where !s.heads.isEmpty {
            f[k.rawValue] = ["value": s.value, "heads": .array(s.heads.map { .string($0.id) })]
        }
        return [
            "symbol": .string(symbol.description), "withdrawn": .bool(withdrawn), "fields": .object(f),
            "topics": .array(topics.map { .string($0) }), "links": .array(links.map(\.json)),
            "sources": .array(sources.map(\.json)),
        ]
    }
}
