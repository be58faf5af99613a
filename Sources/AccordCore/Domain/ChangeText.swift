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
    ///   - oldAuthors: who wrote each of `old`, and `name` how to call them: with several
    ///     old values (a conflict resolved) the change tells what was kept over what, by whom.
    public static func describe(
        change: String, field: String?, old: [JSONValue], new: JSONValue?, oldAuthors: [String] = [],
        name: (String) -> String = { $0 }
    ) -> String {
        if let field, old.count > 1, let new {
            func by(_ k: Int) -> String { k < oldAuthors.count ? "\(value(old[k])) (\(name(oldAuthors[k])))" : value(old[k]) }
            let others = old.indices.filter { old[$0] != new }
            if others.count < old.count {
                let kept = old.indices.first { old[$0] == new }!
                return "resolved the conflict on \(field): kept \(by(kept)) over \(others.map(by).joined(separator: ", "))"
            }
            return "resolved the conflict on \(field): \(old.indices.map(by).joined(separator: " and ")) replaced by \(value(new))"
        }
        if change == relabelled, case .object(let o)? = new, let url = o["url"]?.stringValue {
            func label(_ v: JSONValue?) -> String {
                let l = v?["label"]?.stringValue ?? ""
                return l.isEmpty ? "—" : l
            }
            return "source label: \(label(old.first)) -> \(label(new)) (\(url))"
        }
        if let field {
            let before = old.isEmpty ? "—" : old.map(value).joined(separator: " | ")
            return "\(field): \(before) -> \(new.map(value) ?? "—")"
        }
        if let new { return change + " " + value(new) }
        if !old.isEmpty { return change + " " + old.map(value).joined(separator: ", ") }
        return change
    }

    /// The change of a "source added" that gives a URL the record already holds another label.
    public static let relabelled = "source relabelled"

    /// Marks, in changes oldest first, each "source added" of a URL already present under
    /// another label as a label change, with that label as its old value: history then
    /// reads `source label: UN press release -> GA/12290 (url)`, not a second "source added".
    public static func relabel<Entry>(
        _ entries: inout [Entry], change: WritableKeyPath<Entry, String>, old: WritableKeyPath<Entry, [JSONValue]>,
        new: KeyPath<Entry, JSONValue?>
    ) {
        var present: [String: JSONValue] = [:]
        for k in entries.indices {
            let entry = entries[k]
            if entry[keyPath: change] == "source added", let value = entry[keyPath: new], let url = value["url"]?.stringValue {
                if let before = present[url], before != value {
                    entries[k][keyPath: change] = relabelled
                    entries[k][keyPath: old] = [before]
                }
                present[url] = value
            } else if entry[keyPath: change] == "source removed", let url = entry[keyPath: old].first?.stringValue {
                present[url] = nil
            }
        }
    }
}
