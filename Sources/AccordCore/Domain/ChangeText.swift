/// How values and changes read to people, the same in the CLI and the web UI:
/// `title: old -> new`, `topic added terrorism`, `link added reviews A/RES/71/19`,
/// `source added Label (url)`. Presentation only; no rule depends on it.
public enum ChangeText {
    /// A value as people read it: text as itself, a vote as its tally, a link as
    /// `rel target`, a source as `label (url)`, nothing as a dash.
    public static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return "—"
        case .string(let s): return s
        case .object(let o):
            if o["kind"] != nil, let vote = try? Vote(json: v) { return vote.text }
            if let rel = o["rel"]?.stringValue, let target = o["target"]?.stringValue { return "\(rel) \(target)" }
            if let url = o["url"]?.stringValue {
                let label = o["label"]?.stringValue ?? ""
                return label.isEmpty ? url : "\(label) (\(url))"
            }
            return v.canonicalString
        default: return v.canonicalString
        }
    }

    /// One change: a field's values before and after, or an item added or removed.
    /// - Parameters:
    ///   - change: what the event did (`field.set`, `topic added`, ...).
    ///   - old: the values the change replaced or removed; several when it resolved a conflict.
    public static func describe(change: String, field: String?, old: [JSONValue], new: JSONValue?) -> String {
        if let field {
            let before = old.isEmpty ? "—" : old.map(value).joined(separator: " | ")
            return "\(field): \(before) -> \(new.map(value) ?? "—")"
        }
        if let new { return change + " " + value(new) }
        if !old.isEmpty { return change + " " + old.map(value).joined(separator: ", ") }
        return change
    }
}
