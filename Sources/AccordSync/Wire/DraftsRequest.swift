public import AccordCore
public import AccordStore
import Foundation

// The drafts request (`POST /api/v1/drafts`, Docs/protocol.md, "Drafts"): an edit in
// JSON, read here, at the edge, into the typed edit the store takes.

extension Curation {
    /// Reads an edit as the API takes it (Docs/protocol.md, "Drafts"): `{"edit": "set",
    /// "symbol": ..., "field": ..., "text": ...}` and the like. Field values come as text, read
    /// as the CLI reads them (`value` takes the JSON value instead).
    public func edit(json: JSONValue) throws -> CurationEdit {
        func string(_ k: String) throws -> String {
            guard let s = json[k]?.stringValue else { throw InvalidInput("\(k) is required and must be a string") }
            return s
        }
        func strings(_ k: String) throws -> [String] {
            guard let a = json[k]?.arrayValue, !a.isEmpty, a.count <= 1000 else {
                throw InvalidInput("\(k) is required: an array of 1 to 1000 strings")
            }
            return try a.map { v in
                guard let s = v.stringValue else { throw InvalidInput("\(k) must hold strings") }
                return s
            }
        }
        func domain<T>(_ f: () throws(DomainError) -> T) throws -> T {
            do { return try f() } catch { throw InvalidInput(error.message) }
        }
        func value(_ field: RecordField) throws -> JSONValue {
            if let v = json["value"] { return v }
            let text = try string("text")
            return text.isEmpty ? .null : try domain { () throws(DomainError) in try field.parse(text: text) }
        }
        guard case .object = json else { throw InvalidInput("an edit is a JSON object such as {\"edit\": \"set\", ...}") }
        let kind = try string("edit")
        if kind == "add" {
            var fields: [RecordField: JSONValue] = [:]
            for (k, v) in json["fields"]?.objectValue ?? [:] {
                let f = try domain { () throws(DomainError) in try RecordField(parsing: k) }
                guard let text = v.stringValue else { throw InvalidInput("fields.\(k) must be text") }
                if !text.isEmpty { fields[f] = try domain { () throws(DomainError) in try f.parse(text: text) } }
            }
            return .add(try completedSymbol(try string("symbol"), adopted: fields[.adopted]?.stringValue), fields: fields)
        }
        let symbol = try existing(try string("symbol"))
        switch kind {
        case "set", "resolve":
            let name = try string("field")
            let field = try domain { () throws(DomainError) in try RecordField(parsing: name) }
            let v = try value(field)
            if kind == "resolve" { return .resolve(symbol, field, v) }
            let seen = try json["seen"].map { s -> [String] in
                guard let a = s.arrayValue, a.count <= 1000, a.allSatisfy({ $0.stringValue.map(Hex.isSHA256) ?? false }) else {
                    throw InvalidInput("seen must be the event ids of the values the edit replaces")
                }
                return a.compactMap(\.stringValue)
            }
            return .set(symbol, field, v, seen: seen)
        case "tag": return .tag(symbol, try strings("topics"))
        case "untag": return .untag(symbol, try strings("topics"))
        case "link", "unlink":
            guard let a = json["links"]?.arrayValue, !a.isEmpty, a.count <= 1000 else {
                throw InvalidInput("links is required: an array of {\"rel\": ..., \"target\": ...}")
            }
            let links = try a.map { v in try domain { () throws(DomainError) in try Link(json: v) } }
            return kind == "link" ? .link(symbol, links) : .unlink(symbol, links)
        case "add-sources":
            guard let a = json["sources"]?.arrayValue, !a.isEmpty, a.count <= 1000 else {
                throw InvalidInput("sources is required: an array of {\"url\": ..., \"label\": ...}")
            }
            return .addSources(symbol, try a.map { v in try domain { () throws(DomainError) in try Source(json: v) } })
        case "remove-sources": return .removeSources(symbol, urls: try strings("urls"))
        case "withdraw":
            let reason = json["reason"]?.stringValue.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            return .withdraw(symbol, reason: reason?.isEmpty == false ? reason : nil)
        case "restore": return .restore(symbol)
        default:
            throw InvalidInput(
                "unknown edit \"\(kind.prefix(40))\"; edits: add, set, resolve, tag, untag, link, unlink, add-sources, remove-sources, withdraw, restore"
            )
        }
    }
}

extension Curation {
    /// Reads a membership edit as the API takes it: `{"edit": "grant", "key": "ed25519:...",
    /// "name": ..., "role": "editor"}` (an admin granting from their browser). Nil when the
    /// JSON is not a membership edit. Whether the signer may grant is the ingest's rule.
    public static func membershipEdit(json: JSONValue) throws -> AuthorizationEvent? {
        guard json["edit"]?.stringValue == "grant" else { return nil }
        guard let text = json["key"]?.stringValue?.trimmingCharacters(in: .whitespaces) else {
            throw InvalidInput("key is required: the public key to grant (ed25519:...)")
        }
        let key: AuthorKey
        do throws(EventRejection) { key = try AuthorKey(parsing: text) } catch { throw InvalidInput(error.message) }
        guard let r = json["role"]?.stringValue, let role = MemberRole(rawValue: r) else { throw InvalidInput("role is admin or editor") }
        guard let name = json["name"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), (1...200).contains(name.count) else {
            throw InvalidInput("name is 1 to 200 characters")
        }
        return .granted(key: key, role: role, name: name)
    }
}
