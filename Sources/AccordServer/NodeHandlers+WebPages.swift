import AccordCore
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird

/// The contexts the web UI's templates render: plain values, escaped by the template engine.
extension NodeHandlers {
    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Member names by key (the latest name each key was granted under).
    static func names(_ m: MembershipState) -> [String: String] { m.members.mapValues(\.name) }

    /// A member's name with the key (on hover); an unknown key shortened.
    static func who(_ key: String, _ names: [String: String]) -> [String: Any] {
        ["key": key, "name": names[key] ?? String(key.prefix(20)) + "…"]
    }

    /// A record link: its symbol and the symbol as a query value.
    static func linkContext(_ symbol: String) -> [String: Any] { ["symbol": symbol, "href": query(symbol)] }

    static func query(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    static func fieldLabel(_ f: RecordField) -> String { f == .interpolRole ? "INTERPOL's role" : f.rawValue.capitalized }

    /// What a field accepts, as the form says it.
    static func rule(_ f: RecordField) -> String {
        switch f {
        case .title, .summary, .interpolRole, .notes: return "Text, at most 20,000 bytes; empty clears it."
        case .text: return "The resolution's full text, at most 1,000,000 bytes; empty clears it."
        case .adopted: return "A date YYYY-MM-DD; for an SC resolution its year must match the symbol's."
        case .meeting: return "The meeting number, a positive integer."
        case .vote: return "adopted-without-vote, unanimous, or recorded:YES-NO-ABSTAIN (e.g. recorded:120-0-3)."
        }
    }

    /// The value as the edit box takes it (the CLI's text form).
    static func editText(_ v: JSONValue) -> String {
        switch v {
        case .null: return ""
        case .string(let s): return s
        default: return display(v)
        }
    }

    /// The value as people read it.
    static func readable(_ v: JSONValue) -> String {
        if case .object = v, let vote = try? Vote(json: v) {
            switch vote {
            case .adoptedWithoutVote: return "Adopted without a vote"
            case .unanimous: return "Unanimous"
            case .recorded(let y, let n, let a): return "Recorded vote: \(y) in favour, \(n) against, \(a) abstaining"
            }
        }
        return display(v)
    }

    /// An edit box for a field: a text area for long text, a date box, or a line.
    static func input(_ f: RecordField, name: String, value: String) -> [String: Any] {
        var o: [String: Any] = ["name": name, "value": value]
        switch f {
        case .summary, .interpolRole, .notes, .text:
            o["textarea"] = true
            o["rows"] = f == .text ? 8 : 4
        case .adopted: o["date"] = true
        default: o["line"] = true
        }
        return o
    }

    /// A conflict's heads, each with its value, author and time, for "keep this value", and
    /// the box for "write a new value".
    static func headsContext(_ heads: [Revision], field: RecordField, names: [String: String]) -> [String: Any] {
        [
            "field": field.rawValue, "count": heads.count,
            "heads": heads.map { h -> [String: Any] in
                ["value": readable(h.value), "json": h.value.canonicalString, "who": who(h.author, names), "time": h.time]
            },
            "input": input(field, name: "text", value: editText(heads.first?.value ?? .null)),
        ]
    }

    /// A record's page: now (with the edit forms), or as of a cut-off (`asOf`, read-only).
    static func recordContext(
        _ s: ResolutionSymbol, _ state: RecordState, names: [String: String], curation: Curation, asOf: String? = nil,
        historyOf field: RecordField? = nil
    ) throws -> [String: Any] {
        let symbol = s.description
        let editable = asOf == nil
        var o: [String: Any] = [
            "symbol": symbol, "href": query(symbol), "withdrawn": state.withdrawn, "editable": editable, "asOf": asOf ?? false,
            "relations": LinkRelation.allCases.map(\.rawValue),
        ]
        o["fields"] = RecordField.allCases.map { f -> [String: Any] in
            let st = state.fields[f] ?? FieldState(heads: [])
            var c = headsContext(st.heads, field: f, names: names)
            c["label"] = fieldLabel(f)
            c["value"] = readable(st.value)
            c["inConflict"] = st.inConflict
            c["seen"] = st.heads.map(\.id).joined(separator: ",")
            c["rule"] = rule(f)
            if !st.inConflict { c["input"] = input(f, name: "text", value: editText(st.value)) }
            return c
        }
        o["topics"] = state.topics.map { ["topic": $0] }
        o["links"] = try state.links.map { l -> [String: Any] in
            let target = try curation.resolveTarget(l.target)
            return [
                "rel": l.rel.rawValue, "target": target ?? l.target.description, "targetHref": query(target ?? ""),
                "inDataset": target != nil,
            ]
        }
        o["incoming"] = try curation.incomingLinks(s).map { ["rel": $0.rel, "from": $0.from, "fromHref": query($0.from)] }
        o["sources"] = state.sources.map { ["url": $0.url, "label": $0.label.isEmpty ? $0.url : $0.label] }
        guard editable else { return o }
        let chain = try curation.chainView(s)
        if chain.records.count > 1 {
            o["chain"] =
                [
                    "loops": chain.loops,
                    "records": try chain.records.map { c -> [String: Any] in
                        linkContext(c.description).merging(
                            [
                                "adopted": try curation.state(c)?.fields[.adopted]?.value.stringValue ?? false,
                                "withdrawn": chain.withdrawn.contains(c.key), "isThis": c == s,
                            ]) { $1 }
                    },
                ] as [String: Any]
        }
        o["historyOf"] = field.map(fieldLabel) ?? false
        o["history"] = try curation.history(s, field: field).reversed().map { e -> [String: Any] in
            var row: [String: Any] = [
                "id": e.id, "time": e.time, "who": who(e.author, names),
                "change": ChangeText.describe(
                    change: e.change, field: e.field, old: e.old, new: e.new, oldAuthors: e.oldAuthors,
                    name: { names[$0] ?? String($0.prefix(20)) + "…" }),
                "signature": e.signature + (e.invalid.map { " · no effect: \($0)" } ?? ""),
            ]
            if let r = e.redaction { row["redaction"] = ["type": e.change, "by": who(r.author, names), "at": r.time, "reason": r.reason] }
            return row
        }
        return o
    }

    /// "1–50 of 812" (or "0 of 812").
    static func range(_ offset: Int, _ shown: Int, _ total: Int) -> String {
        shown == 0 ? "0 of \(total)" : "\(offset + 1)–\(offset + shown) of \(total)"
    }

    /// Previous / next links keeping the other parameters; false when there is one page.
    static func pager(_ p: [String: String], offset: Int, limit: Int, shown: Int, total: Int, path: String) -> Any {
        func href(_ o: Int) -> String {
            var q = p
            q["offset"] = String(o)
            return path + "?"
                + q.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { "\($0.key)=\(query($0.value))" }.joined(separator: "&")
        }
        var o: [String: Any] = [:]
        if offset > 0 { o["prev"] = ["href": href(max(0, offset - limit)), "count": limit] }
        if offset + shown < total { o["next"] = ["href": href(offset + limit), "count": min(limit, total - offset - shown)] }
        return o.isEmpty ? false : o
    }
}
