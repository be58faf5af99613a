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

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        self = try JSONParser.parse(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(canonicalString)
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
