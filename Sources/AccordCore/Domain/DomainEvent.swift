import Foundation

/// A link between two resolutions.
public enum LinkRelation: String, Sendable, CaseIterable, Codable, Comparable {
    case reviews, recalls, supersedes, amends, cites

    public init(parsing raw: String) throws(DomainError) {
        guard let r = LinkRelation(rawValue: raw.lowercased()) else {
            throw DomainError("unknown relation \"\(raw)\"; relations: \(LinkRelation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = r
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public struct Link: Sendable, Hashable, Comparable {
    public let rel: LinkRelation
    /// The target as given (normalised); a Security Council target may lack its year.
    public let target: ResolutionSymbol

    public init(rel: LinkRelation, target: ResolutionSymbol) {
        self.rel = rel
        self.target = target
    }

    /// Identity of the link in the add-wins set: relation and the target's year-free key.
    public var item: String { rel.rawValue + " " + target.key }
    public var json: JSONValue { ["rel": .string(rel.rawValue), "target": .string(target.description)] }

    public init(json: JSONValue) throws(DomainError) {
        guard let rel = json["rel"]?.stringValue, let target = json["target"]?.stringValue else {
            throw DomainError("a link is {\"rel\": ..., \"target\": ...}")
        }
        self.init(rel: try LinkRelation(parsing: rel), target: try ResolutionSymbol.linkTarget(target))
    }

    public static func < (a: Self, b: Self) -> Bool { a.item < b.item }
}

public struct Source: Sendable, Hashable, Comparable {
    public let url: String
    public let label: String

    /// The sources of an add that change something: a URL not yet present, or a known URL
    /// with another, non-empty label (a label change). A known URL given without a label
    /// keeps the label it has: re-adding a source never blanks what it says.
    public static func changes(adding sources: [Source], to present: [Source]) -> [Source] {
        let labels = Dictionary(present.map { ($0.url, $0.label) }, uniquingKeysWith: { a, b in a.isEmpty ? b : a })
        return sources.filter { s in
            guard let known = labels[s.url] else { return true }
            return !s.label.isEmpty && s.label != known
        }
    }

    public init(url: String, label: String) throws(DomainError) {
        let u = url.trimmingSpaces()
        let lower = u.lowercased()
        let rest = lower.hasPrefix("https://") ? lower.dropFirst(8) : lower.hasPrefix("http://") ? lower.dropFirst(7) : ""
        guard !rest.isEmpty, !rest.hasPrefix("/"), u.utf8.count <= 2000, !u.contains(where: { $0.isWhitespace }) else {
            throw DomainError("source url must be an http(s) URL without spaces, got \"\(url.prefix(80))\"")
        }
        guard !label.unicodeScalars.contains("\u{0}") else { throw DomainError("a source label cannot hold a NUL character") }
        self.url = u
        self.label = label.trimmingSpacesAndNewlines()
    }

    public var item: String { url }
    public var json: JSONValue { ["url": .string(url), "label": .string(label)] }

    public init(json: JSONValue) throws(DomainError) {
        guard let url = json["url"]?.stringValue else { throw DomainError("a source is {\"url\": ..., \"label\": ...}") }
        try self.init(url: url, label: json["label"]?.stringValue ?? "")
    }

    public static func < (a: Self, b: Self) -> Bool { a.url < b.url }
}

/// Topic names are lowercase with single spaces, and authored in Unicode NFC, so "café"
/// typed on two keyboards (NFC "é", NFD "e" + U+0301) is one topic.
public enum Topic {
    /// The form a new topic is signed in (and a query is matched in): NFC, lowercase,
    /// single spaces.
    public static func normalise(_ raw: String) throws(DomainError) -> String {
        try decode(raw.precomposedStringWithCanonicalMapping)
    }

    /// A topic of a signed event, as it was signed (events signed before topics were
    /// authored in NFC keep their bytes, on every node alike).
    public static func decode(_ raw: String) throws(DomainError) -> String {
        let t = raw.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !t.isEmpty, t.count <= 80 else { throw DomainError("a topic is 1 to 80 characters, got \"\(raw.prefix(80))\"") }
        guard !t.unicodeScalars.contains("\u{0}") else { throw DomainError("a topic cannot hold a NUL character") }
        return t
    }
}

/// The curation events, typed. `init(envelope:body:)` is the one place payloads are
/// decoded and checked; every schema version ever shipped stays decodable here.
public enum DomainEvent: Sendable, Hashable {
    case recordCreated(ResolutionSymbol, fields: [RecordField: JSONValue])
    case fieldSet(ResolutionSymbol, field: RecordField, value: JSONValue, base: [String])
    case topicsAdded(ResolutionSymbol, [String])
    case topicsRemoved(ResolutionSymbol, [String], seen: [String])
    case linksAdded(ResolutionSymbol, [Link])
    case linksRemoved(ResolutionSymbol, [Link], seen: [String])
    case sourcesAdded(ResolutionSymbol, [Source])
    case sourcesRemoved(ResolutionSymbol, urls: [String], seen: [String])
    case withdrawn(ResolutionSymbol, reason: String?)
    case restored(ResolutionSymbol)

    public enum Kind: String, CaseIterable, Sendable {
        case recordCreated = "record.created"
        case fieldSet = "field.set"
        case topicsAdded = "topics.added"
        case topicsRemoved = "topics.removed"
        case linksAdded = "links.added"
        case linksRemoved = "links.removed"
        case sourcesAdded = "sources.added"
        case sourcesRemoved = "sources.removed"
        case withdrawn = "record.withdrawn"
        case restored = "record.restored"
    }

    public var symbol: ResolutionSymbol {
        switch self {
        case .recordCreated(let s, _), .fieldSet(let s, _, _, _), .topicsAdded(let s, _), .topicsRemoved(let s, _, _),
            .linksAdded(let s, _), .linksRemoved(let s, _, _), .sourcesAdded(let s, _), .sourcesRemoved(let s, _, _),
            .withdrawn(let s, _), .restored(let s):
            return s
        }
    }

    public var kind: Kind {
        switch self {
        case .recordCreated: return .recordCreated
        case .fieldSet: return .fieldSet
        case .topicsAdded: return .topicsAdded
        case .topicsRemoved: return .topicsRemoved
        case .linksAdded: return .linksAdded
        case .linksRemoved: return .linksRemoved
        case .sourcesAdded: return .sourcesAdded
        case .sourcesRemoved: return .sourcesRemoved
        case .withdrawn: return .withdrawn
        case .restored: return .restored
        }
    }

    /// Whether `type` is a curation event type (other types are left to other read models).
    public static func isDomainType(_ type: String) -> Bool { Kind(rawValue: type) != nil }

    /// Decodes a curation event. The subject must be the record's complete, normalised symbol.
    public init(type: String, schema: Int, subject: String?, body: JSONValue) throws(DomainError) {
        guard let kind = Kind(rawValue: type) else { throw DomainError("\(type) is not a curation event") }
        guard schema == 1 else { throw DomainError("\(type) schema \(schema) is not known (known: 1)") }
        guard let subject else { throw DomainError("\(type) needs a subject (the record's symbol)") }
        let symbol = try ResolutionSymbol(parsing: subject)
        guard symbol.description == subject, symbol.isComplete else {
            throw DomainError(
                "subject \"\(subject)\" must be a complete, normalised symbol such as \(symbol.isComplete ? symbol.description : "S/RES/2482 (2019)")"
            )
        }
        guard case .object(let b) = body else { throw DomainError("\(type) body must be an object") }
        if let salt = b[BodySalt.key], !(salt.stringValue.map(BodySalt.isWellFormed) ?? false) {
            throw DomainError("\(type) body.salt must be 16 to 64 base64url characters (A-Z a-z 0-9 - _)")
        }
        let r = BodyReader(type: type, body: b)
        switch kind {
        case .recordCreated:
            self = .recordCreated(symbol, fields: try Self.createdFields(b, symbol: symbol, subject: subject))
        case .fieldSet:
            guard let name = b["field"]?.stringValue, let value = b["value"] else {
                throw DomainError("field.set body needs field and value")
            }
            let f = try RecordField(parsing: name)
            self = .fieldSet(symbol, field: f, value: try f.validate(value), base: try r.ids("base"))
        case .topicsAdded:
            var t: [String] = []
            for s in try r.strings("topics") { t.append(try Topic.decode(s)) }
            self = .topicsAdded(symbol, try r.nonEmpty(t, "topics"))
        case .topicsRemoved:
            var t: [String] = []
            for s in try r.strings("topics") { t.append(try Topic.decode(s)) }
            self = .topicsRemoved(symbol, try r.nonEmpty(Array(Set(t)).sorted(), "topics"), seen: try r.ids("seen", nonEmpty: true))
        case .linksAdded, .linksRemoved:
            guard let a = b["links"]?.arrayValue else { throw DomainError("\(type) body.links must be an array") }
            var links: [Link] = []
            for v in a { links.append(try Link(json: v)) }
            _ = try r.nonEmpty(links, "links")
            self = kind == .linksAdded ? .linksAdded(symbol, links) : .linksRemoved(symbol, links, seen: try r.ids("seen", nonEmpty: true))
        case .sourcesAdded:
            guard let a = b["sources"]?.arrayValue else { throw DomainError("sources.added body.sources must be an array") }
            var sources: [Source] = []
            for v in a { sources.append(try Source(json: v)) }
            self = .sourcesAdded(symbol, try r.nonEmpty(sources, "sources"))
        case .sourcesRemoved:
            var urls: [String] = []
            for u in try r.strings("urls") { urls.append(try Source(url: u, label: "").url) }
            self = .sourcesRemoved(symbol, urls: try r.nonEmpty(urls, "urls"), seen: try r.ids("seen", nonEmpty: true))
        case .withdrawn:
            self = .withdrawn(symbol, reason: try Self.withdrawReason(b))
        case .restored:
            self = .restored(symbol)
        }
    }
}

extension DomainEvent {
    static func createdFields(
        _ b: [String: JSONValue], symbol: ResolutionSymbol, subject: String
    ) throws(DomainError) -> [RecordField: JSONValue] {
        guard b["symbol"]?.stringValue == subject else { throw DomainError("record.created body.symbol must equal the subject") }
        if let body = b["body"]?.stringValue, body != symbol.body.rawValue {
            throw DomainError("body \(body) does not match symbol \(subject) (\(symbol.body.rawValue))")
        }
        if let body = b["body"], body.stringValue == nil { throw DomainError("record.created body.body must be GA or SC") }
        if let f = b["fields"], f.objectValue == nil { throw DomainError("record.created body.fields must be an object") }
        var fields: [RecordField: JSONValue] = [:]
        for (k, v) in b["fields"]?.objectValue ?? [:] {
            let f = try RecordField(parsing: k)
            let value = try f.validate(v)
            if !value.isNull { fields[f] = value }
        }
        return fields
    }

    static func withdrawReason(_ b: [String: JSONValue]) throws(DomainError) -> String? {
        var reason: String?
        if let r = b["reason"] {
            guard let text = r.stringValue, text.utf8.count <= 2000 else {
                throw DomainError("record.withdrawn body.reason must be a string of at most 2000 bytes")
            }
            let t = text.trimmingSpacesAndNewlines()
            reason = t.isEmpty ? nil : t
        }
        return reason
    }
}

/// Reads the parts of a curation event's body, with one wording per mistake.
struct BodyReader {
    let type: String
    let body: [String: JSONValue]

    func strings(_ key: String) throws(DomainError) -> [String] {
        guard let a = body[key]?.arrayValue else { throw DomainError("\(type) body.\(key) must be an array") }
        var out: [String] = []
        for v in a {
            guard let s = v.stringValue else { throw DomainError("\(type) body.\(key) must hold strings") }
            out.append(s)
        }
        return out
    }
    func ids(_ key: String, nonEmpty: Bool = false) throws(DomainError) -> [String] {
        let a = try strings(key)
        guard a.allSatisfy(Hex.isSHA256) else { throw DomainError("\(type) body.\(key) must hold event ids") }
        guard a.count <= 1000 else { throw DomainError("\(type) body.\(key) holds more than 1000 ids") }
        if nonEmpty && a.isEmpty { throw DomainError("\(type) body.\(key) must name the adds it removes") }
        return a
    }
    func nonEmpty<T>(_ a: [T], _ what: String) throws(DomainError) -> [T] {
        guard !a.isEmpty, a.count <= 1000 else { throw DomainError("\(type) needs 1 to 1000 \(what)") }
        return a
    }
}

extension DomainEvent {

    /// The draft that says this event.
    public var draft: EventDraft {
        let subject = symbol.description
        let body: JSONValue
        switch self {
        case .recordCreated(let s, let fields):
            var f: [String: JSONValue] = [:]
            for (k, v) in fields { f[k.rawValue] = v }
            body = ["symbol": .string(s.description), "body": .string(s.body.rawValue), "fields": .object(f)]
        case .fieldSet(_, let field, let value, let base):
            body = ["field": .string(field.rawValue), "value": value, "base": .array(base.sorted().map { .string($0) })]
        case .topicsAdded(_, let t): body = ["topics": .array(t.map { .string($0) })]
        case .topicsRemoved(_, let t, let seen):
            body = ["topics": .array(t.map { .string($0) }), "seen": .array(seen.sorted().map { .string($0) })]
        case .linksAdded(_, let l): body = ["links": .array(l.map(\.json))]
        case .linksRemoved(_, let l, let seen): body = ["links": .array(l.map(\.json)), "seen": .array(seen.sorted().map { .string($0) })]
        case .sourcesAdded(_, let s): body = ["sources": .array(s.map(\.json))]
        case .sourcesRemoved(_, let urls, let seen):
            body = ["urls": .array(urls.map { .string($0) }), "seen": .array(seen.sorted().map { .string($0) })]
        case .withdrawn(_, let reason):
            let r = reason?.trimmingSpacesAndNewlines()
            body = r.flatMap { $0.isEmpty ? nil : ["reason": .string($0)] } ?? [:]
        case .restored: body = [:]
        }
        return EventDraft(type: kind.rawValue, schema: 1, subject: subject, body: body)
    }
}
