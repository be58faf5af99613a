public import AccordCore
import Foundation

/// Checks a JSON value against a JSON Schema (2020-12), for the keywords the project's
/// schemas use (Events/schemas, the OpenAPI document): `$ref` (a JSON pointer into the
/// root document), `allOf`/`anyOf`/`oneOf`, `if`/`then`/`else`, `enum`, `const`, `type`,
/// `properties`/`required`/`additionalProperties`, `items`/`minItems`/`maxItems`/
/// `uniqueItems`, `minLength`/`maxLength`/`pattern`, `minimum`/`maximum`. A keyword it
/// does not know is an error, so a schema cannot silently check less than it says.
/// Returns what does not match, each with its JSON path; empty when the value conforms.
public struct JSONSchemaCheck: Sendable {
    public let root: JSONValue

    public init(root: JSONValue) { self.root = root }

    static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description", "examples", "default", "format", "$comment"]
    static let known: Set<String> = [
        "$ref", "allOf", "anyOf", "oneOf", "if", "then", "else", "enum", "const", "type", "properties", "required",
        "additionalProperties", "items", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum", "maximum",
    ]

    public func errors(_ value: JSONValue, _ schema: JSONValue? = nil, at path: String = "$") -> [String] {
        let schema = schema ?? root
        if case .bool(let b) = schema { return b ? [] : ["\(path): no value is allowed here"] }
        guard case .object(let s) = schema else { return ["\(path): the schema is not an object"] }
        var out = s.keys.filter { !Self.known.contains($0) && !Self.annotations.contains($0) }.sorted().map {
            "\(path): unknown schema keyword \($0)"
        }
        func sub(_ v: JSONValue, _ k: String) -> [String] { s[k].map { errors(v, $0, at: path) } ?? [] }
        if let ref = s["$ref"]?.stringValue {
            guard let target = resolve(ref) else { return out + ["\(path): cannot resolve \(ref)"] }
            out += errors(value, target, at: path)
        }
        for part in s["allOf"]?.arrayValue ?? [] { out += errors(value, part, at: path) }
        if let parts = s["anyOf"]?.arrayValue, !parts.contains(where: { errors(value, $0, at: path).isEmpty }) {
            out.append("\(path): matches none of anyOf")
        }
        if let parts = s["oneOf"]?.arrayValue {
            let n = parts.filter { errors(value, $0, at: path).isEmpty }.count
            if n != 1 { out.append("\(path): matches \(n) of oneOf, not exactly one") }
        }
        if let condition = s["if"] {
            out += errors(value, condition, at: path).isEmpty ? sub(value, "then") : sub(value, "else")
        }
        if let options = s["enum"]?.arrayValue, !options.contains(value) {
            out.append("\(path): \(value.canonicalString.prefix(60)) is none of \(JSONValue.array(options).canonicalString.prefix(120))")
        }
        if let c = s["const"], c != value { out.append("\(path): \(value.canonicalString.prefix(60)) is not \(c.canonicalString)") }
        if let type = s["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !types.contains(where: { Self.has(value, type: $0) }) {
                out.append("\(path): \(value.canonicalString.prefix(60)) is not \(types.joined(separator: " or "))")
            }
        }
        switch value {
        case .object(let members):
            let properties = s["properties"]?.objectValue ?? [:]
            for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                out.append("\(path): \(name) is required")
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let p = properties[name] {
                    out += errors(member, p, at: "\(path).\(name)")
                } else if let extra = s["additionalProperties"] {
                    if extra == .bool(false) {
                        out.append("\(path): \(name) is not in the schema")
                    } else {
                        out += errors(member, extra, at: "\(path).\(name)")
                    }
                }
            }
        case .array(let items):
            if let schema = s["items"] {
                for (k, item) in items.enumerated() { out += errors(item, schema, at: "\(path)[\(k)]") }
            }
            if let n = s["minItems"]?.intValue, items.count < n { out.append("\(path): fewer than \(n) items") }
            if let n = s["maxItems"]?.intValue, items.count > n { out.append("\(path): more than \(n) items") }
            if s["uniqueItems"] == .bool(true), Set(items.map(\.canonicalString)).count != items.count {
                out.append("\(path): items repeat")
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let n = s["minLength"]?.intValue, length < n { out.append("\(path): shorter than \(n)") }
            if let n = s["maxLength"]?.intValue, length > n { out.append("\(path): longer than \(n)") }
            if let p = s["pattern"]?.stringValue {
                if let re = try? NSRegularExpression(pattern: p),
                    re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
                {
                    out.append("\(path): \"\(text.prefix(40))\" does not match \(p)")
                }
            }
        case .number(let d):
            if let m = s["minimum"]?.doubleValue, d < m { out.append("\(path): below \(m)") }
            if let m = s["maximum"]?.doubleValue, d > m { out.append("\(path): above \(m)") }
        default: break
        }
        return out
    }

    /// A `#/...` JSON pointer into the root document.
    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var v = root
        for part in ref.dropFirst().split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = v[key] else { return nil }
            v = next
        }
        return v
    }

    static func has(_ v: JSONValue, type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number):
            return true
        case ("integer", .number): return v.intValue != nil
        default: return false
        }
    }
}
