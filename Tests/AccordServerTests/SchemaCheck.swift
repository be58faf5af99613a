import AccordCore

/// Checks a JSON value against the subset of JSON Schema 2020-12 the node's OpenAPI document
/// uses: `$ref` (to #/components/schemas), `allOf`, `enum`, `type` (one or several),
/// `properties`, `required`, `additionalProperties` (a boolean or a schema) and `items`.
/// Returns what does not match, each with its JSON path; empty when the value conforms.
/// A keyword it does not know makes it fail, so a schema cannot silently check less.
struct SchemaCheck {
    let document: JSONValue
    static let known: Set<String> = [
        "$ref", "allOf", "enum", "type", "properties", "required", "additionalProperties", "items", "description",
    ]

    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let s) = schema else { return ["\(path): the schema is not an object"] }
        var out: [String] = s.keys.filter { !Self.known.contains($0) }.map { "\(path): unknown schema keyword \($0)" }
        if let ref = s["$ref"]?.stringValue {
            let name = String(ref.dropFirst("#/components/schemas/".count))
            guard let target = document["components"]?["schemas"]?[name] else { return out + ["\(path): no schema \(ref)"] }
            out += errors(value, target, at: path)
        }
        for part in s["allOf"]?.arrayValue ?? [] { out += errors(value, part, at: path) }
        if let options = s["enum"]?.arrayValue, !options.contains(value) {
            out.append("\(path): \(value.canonicalString.prefix(60)) is none of \(JSONValue.array(options).canonicalString)")
        }
        if let type = s["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !types.contains(where: { Self.has(value, type: $0) }) {
                out.append("\(path): \(value.canonicalString.prefix(60)) is not \(types.joined(separator: " or "))")
            }
        }
        if case .object(let members) = value {
            let properties = s["properties"]?.objectValue ?? [:]
            for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                out.append("\(path): \(name) is required")
            }
            for (name, member) in members {
                if let p = properties[name] {
                    out += errors(member, p, at: "\(path).\(name)")
                } else if let extra = s["additionalProperties"] {
                    if extra == .bool(false) {
                        out.append("\(path): \(name) is not in the schema")
                    } else if case .object = extra {
                        out += errors(member, extra, at: "\(path).\(name)")
                    }
                }
            }
        }
        if case .array(let items) = value, let schema = s["items"] {
            for (k, item) in items.enumerated() { out += errors(item, schema, at: "\(path)[\(k)]") }
        }
        return out
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
