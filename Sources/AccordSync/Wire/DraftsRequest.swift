public import AccordCore
public import AccordStore
import Foundation

/// The drafts request (`POST /api/v1/drafts`, Docs/protocol.md, "Drafts"): who will sign,
/// and an edit such as `{"edit": "set", "symbol": ..., "field": ..., "text": ...}` or a grant
/// `{"edit": "grant", "key": "ed25519:...", "name": ..., "role": "editor"}`. Decoding checks
/// the shapes; `Curation.edit(_:)` reads it, against the dataset, into the typed edit the
/// store takes.
public struct DraftsRequest: Decodable, Sendable, Equatable {
    /// The public key that will sign the drafts.
    public var author: AuthorKey
    public var edit: String
    public var symbol: String?
    public var field: String?
    /// A field's value as text, read as the CLI reads it (empty: clear the field).
    public var text: String?
    /// A field's value as JSON instead of text (null: clear it).
    public var value: JSONValue?
    /// The event ids of the values a `set` replaces.
    public var seen: [String]?
    public var topics: [String]?
    public var links: [JSONValue]?
    public var sources: [JSONValue]?
    public var urls: [String]?
    public var reason: String?
    /// A new record's fields, each as text.
    public var fields: [String: String]?
    // A grant.
    public var key: String?
    public var role: String?
    public var name: String?

    enum CodingKeys: String, CodingKey {
        case author, edit, symbol, field, text, value, seen, topics, links, sources, urls, reason, fields, key, role, name
    }

    /// The most items a list in one edit holds.
    public static let maxItems = 1000

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let author = try c.decodeIfPresent(String.self, forKey: .author) else {
            throw InvalidInput("author is required: the public key (ed25519:...) that will sign the drafts")
        }
        do throws(EventRejection) { self.author = try AuthorKey(parsing: author) } catch { throw InvalidInput(error.message) }
        guard let edit = try c.decodeIfPresent(String.self, forKey: .edit) else {
            throw InvalidInput("edit is required and must be a string")
        }
        self.edit = edit
        symbol = try c.decodeIfPresent(String.self, forKey: .symbol)
        field = try c.decodeIfPresent(String.self, forKey: .field)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        // Present and null is a value (clear the field); absent is none.
        if c.contains(.value) { value = try c.decode(JSONValue.self, forKey: .value) }
        seen = try c.decodeIfPresent([String].self, forKey: .seen)
        if let seen, seen.count > Self.maxItems || !seen.allSatisfy(Hex.isSHA256) {
            throw InvalidInput("seen must be the event ids of the values the edit replaces")
        }
        topics = try Self.list(c, .topics)
        links = try Self.list(c, .links)
        sources = try Self.list(c, .sources)
        urls = try Self.list(c, .urls)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        fields = try c.decodeIfPresent([String: String].self, forKey: .fields)
        key = try c.decodeIfPresent(String.self, forKey: .key)
        role = try c.decodeIfPresent(String.self, forKey: .role)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    static func list<T: Decodable>(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [T]? {
        guard let a = try c.decodeIfPresent([T].self, forKey: key) else { return nil }
        guard !a.isEmpty, a.count <= maxItems else { throw InvalidInput("\(key.stringValue) holds 1 to \(maxItems) items") }
        return a
    }

    /// The grant this request asks for, or nil when it is not a membership edit. Whether the
    /// signer may grant is the ingest's rule.
    public func membershipEdit() throws -> AuthorizationEvent? {
        guard edit == "grant" else { return nil }
        guard let text = key?.trimmingCharacters(in: .whitespaces) else {
            throw InvalidInput("key is required: the public key to grant (ed25519:...)")
        }
        let granted: AuthorKey
        do throws(EventRejection) { granted = try AuthorKey(parsing: text) } catch { throw InvalidInput(error.message) }
        guard let r = role, let role = MemberRole(rawValue: r) else { throw InvalidInput("role is admin or editor") }
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), (1...200).contains(name.count) else {
            throw InvalidInput("name is 1 to 200 characters")
        }
        return .granted(key: granted, role: role, name: name)
    }
}

extension Curation {
    /// Reads a drafts request's edit against the dataset (symbols resolved, values parsed as
    /// the CLI parses them).
    public func edit(_ r: DraftsRequest) throws -> CurationEdit {
        func required<T>(_ v: T?, _ k: String, _ what: String = "a string") throws -> T {
            guard let v else { throw InvalidInput("\(k) is required: \(what)") }
            return v
        }
        func domain<T>(_ f: () throws(DomainError) -> T) throws -> T {
            do { return try f() } catch { throw InvalidInput(error.message) }
        }
        func value(_ field: RecordField) throws -> JSONValue {
            if let v = r.value { return v }
            let text = try required(r.text, "text")
            return text.isEmpty ? .null : try domain { () throws(DomainError) in try field.parse(text: text) }
        }
        let strings = "an array of 1 to \(DraftsRequest.maxItems) strings"
        if r.edit == "add" {
            var fields: [RecordField: JSONValue] = [:]
            for (k, text) in r.fields ?? [:] where !text.isEmpty {
                let f = try domain { () throws(DomainError) in try RecordField(parsing: k) }
                fields[f] = try domain { () throws(DomainError) in try f.parse(text: text) }
            }
            return .add(try completedSymbol(try required(r.symbol, "symbol"), adopted: fields[.adopted]?.stringValue), fields: fields)
        }
        let symbol = try existing(try required(r.symbol, "symbol"))
        switch r.edit {
        case "set", "resolve":
            let name = try required(r.field, "field")
            let field = try domain { () throws(DomainError) in try RecordField(parsing: name) }
            let v = try value(field)
            return r.edit == "resolve" ? .resolve(symbol, field, v) : .set(symbol, field, v, seen: r.seen)
        case "tag": return .tag(symbol, try required(r.topics, "topics", strings))
        case "untag": return .untag(symbol, try required(r.topics, "topics", strings))
        case "link", "unlink":
            let links = try required(r.links, "links", "an array of {\"rel\": ..., \"target\": ...}").map { v in
                try domain { () throws(DomainError) in try Link(json: v) }
            }
            return r.edit == "link" ? .link(symbol, links) : .unlink(symbol, links)
        case "add-sources":
            let sources = try required(r.sources, "sources", "an array of {\"url\": ..., \"label\": ...}")
            return .addSources(symbol, try sources.map { v in try domain { () throws(DomainError) in try Source(json: v) } })
        case "remove-sources": return .removeSources(symbol, urls: try required(r.urls, "urls", strings))
        case "withdraw":
            let reason = r.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
            return .withdraw(symbol, reason: reason?.isEmpty == false ? reason : nil)
        case "restore": return .restore(symbol)
        default:
            throw InvalidInput(
                "unknown edit \"\(r.edit.prefix(40))\"; edits: add, set, resolve, tag, untag, link, unlink, add-sources, remove-sources, withdraw, restore, grant"
            )
        }
    }
}
