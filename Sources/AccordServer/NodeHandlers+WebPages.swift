import AccordCore
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird

/// The parts of the web UI's pages. Reading needs no script; every edit form is hidden
/// until the page's script (`WebAssets.script`) finds a key in this browser, and is
/// signed there: the node never signs for a browser.
extension NodeHandlers {
    static let editingNote = """
        <noscript><p class="note">Reading works without JavaScript. Editing needs it: your edits are signed with your key in this browser.</p></noscript>
        <p class="note" id="edit-status" role="status" aria-live="polite" hidden></p>
        """

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Member names by key (the latest name each key was granted under).
    static func names(_ m: MembershipState) -> [String: String] { m.members.mapValues(\.name) }

    /// A member's name with the key on hover; an unknown key shortened.
    static func who(_ key: String, _ names: [String: String]) -> String {
        let name = names[key] ?? String(key.prefix(20)) + "…"
        return "<span class=\"who\" title=\"\(esc(key))\">\(esc(name))</span>"
    }

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

    static func input(_ f: RecordField, name: String, value: String) -> String {
        switch f {
        case .summary, .interpolRole, .notes, .text:
            return "<textarea name=\"\(name)\" rows=\"\(f == .text ? 8 : 4)\">\(esc(value))</textarea>"
        case .adopted:
            return
                "<input type=\"text\" name=\"\(name)\" value=\"\(esc(value))\" pattern=\"\\d{4}-\\d{2}-\\d{2}\" placeholder=\"YYYY-MM-DD\">"
        default: return "<input type=\"text\" name=\"\(name)\" value=\"\(esc(value))\">"
        }
    }

    /// A hidden-until-scripted form for one edit; `data` become the edit's members.
    static func form(_ edit: String, _ data: [String: String], _ inside: String, button: String, cls: String = "inline") -> String {
        let attrs = data.sorted { $0.key < $1.key }.map { " data-\($0.key)=\"\(esc($0.value))\"" }.joined()
        return "<form class=\"edit \(cls)\" data-edit=\"\(edit)\"\(attrs) hidden>\(inside)<button>\(esc(button))</button></form>"
    }

    /// A conflict's heads, each with its value, author and time, and "keep this value".
    static func headsList(_ heads: [Revision], symbol: String, field: RecordField, names: [String: String]) -> String {
        var html = "<ul class=\"heads\">"
        for h in heads {
            html +=
                "<li><span class=\"value\">\(esc(readable(h.value)))</span> <span class=\"muted\">by \(who(h.author, names)) at \(esc(h.time))</span> "
            html += form(
                "resolve", ["symbol": symbol, "field": field.rawValue, "value": h.value.canonicalString], "", button: "Keep this value")
            html += "</li>"
        }
        html += "</ul><details class=\"edit-only\" hidden><summary>Write a new value</summary>"
        html += form(
            "resolve", ["symbol": symbol, "field": field.rawValue],
            input(field, name: "text", value: editText(heads.first?.value ?? .null)), button: "Sign and save", cls: "stack")
        return html + "</details>"
    }

    /// A record's page: now (with the edit forms), or as of a cut-off (`asOf`, read-only).
    static func recordPage(
        _ s: ResolutionSymbol, _ state: RecordState, names: [String: String], curation: Curation, asOf: String? = nil,
        historyOf field: RecordField? = nil
    ) throws -> String {
        let symbol = s.description
        let editable = asOf == nil
        func form(_ edit: String, _ data: [String: String], _ inside: String, button: String, cls: String = "inline") -> String {
            editable ? NodeHandlers.form(edit, data, inside, button: button, cls: cls) : ""
        }
        var html = "<h1>\(esc(symbol))\(state.withdrawn ? " <span class=\"badge\">withdrawn</span>" : "")</h1>"
        if let asOf {
            html +=
                "<p class=\"note\">As of \(esc(asOf)): the record as it stood then, on this node. <a href=\"/record?symbol=\(esc(symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? symbol))\">Now</a></p>"
        } else {
            html += editingNote
        }
        html += "<table class=\"record\">"
        for f in RecordField.allCases {
            let st = state.fields[f] ?? FieldState(heads: [])
            let fieldHistory = esc(
                "/record?symbol=\(symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? symbol)&field=\(f.rawValue)#history"
            )
            html += "<tr id=\"field-\(f.rawValue)\"><th>\(fieldLabel(f))<br><a class=\"muted\" href=\"\(fieldHistory)\">history</a></th>"
            html += "<td><div class=\"value\">\(esc(readable(st.value)))</div>"
            if st.inConflict {
                html +=
                    "<div class=\"conflict\"><strong>Conflict:</strong> \(st.heads.count) values written concurrently; the one shown is provisional."
                html += (editable ? headsList(st.heads, symbol: symbol, field: f, names: names) : "") + "</div>"
            } else if editable {
                html += "<details class=\"edit-only\" hidden><summary>Edit</summary>"
                html += form(
                    "set", ["symbol": symbol, "field": f.rawValue, "seen": st.heads.map(\.id).joined(separator: ",")],
                    input(f, name: "text", value: editText(st.value)) + "<span class=\"muted\">\(esc(rule(f)))</span>",
                    button: "Sign and save",
                    cls: "stack")
                html += "</details>"
            }
            html += "</td></tr>"
        }
        html += "<tr id=\"topics\"><th>Topics</th><td>"
        for t in state.topics {
            html +=
                "<span class=\"tag\">\(esc(t)) " + form("untag", ["symbol": symbol, "topics": t], "", button: "×", cls: "mini") + "</span>"
        }
        html += form(
            "tag", ["symbol": symbol],
            "<input type=\"text\" name=\"topics\" placeholder=\"topics, comma separated\" aria-label=\"New topics\">", button: "Add topics")
        html += "</td></tr><tr id=\"links\"><th>Links</th><td><ul>"
        for l in state.links {
            let target = try curation.resolveTarget(l.target)
            html +=
                "<li>\(l.rel.rawValue) \(target.map(link) ?? esc(l.target.description) + " <span class=\"muted\">(not in the dataset yet)</span>") "
            html +=
                form(
                    "unlink", ["symbol": symbol, "rel": l.rel.rawValue, "target": l.target.description], "", button: "Remove", cls: "mini")
                + "</li>"
        }
        for (rel, from) in try curation.incomingLinks(s) { html += "<li>\(esc(rel)) by \(link(from))</li>" }
        html += "</ul>"
        let rels = LinkRelation.allCases.map { "<option>\($0.rawValue)</option>" }.joined()
        html += form(
            "link", ["symbol": symbol],
            "<select name=\"rel\" aria-label=\"Relation\">\(rels)</select><input type=\"text\" name=\"target\" placeholder=\"A/RES/71/19\" aria-label=\"Target symbol\">",
            button: "Add link")
        html += "</td></tr><tr id=\"sources\"><th>Sources</th><td><ul>"
        for src in state.sources {
            html += "<li><a href=\"\(esc(src.url))\" rel=\"noreferrer\">\(esc(src.label.isEmpty ? src.url : src.label))</a> "
            html += form("remove-sources", ["symbol": symbol, "urls": src.url], "", button: "Remove", cls: "mini") + "</li>"
        }
        html += "</ul>"
        html += form(
            "add-sources", ["symbol": symbol],
            "<input type=\"url\" name=\"url\" placeholder=\"https://undocs.org/...\" aria-label=\"Source URL\"><input type=\"text\" name=\"label\" placeholder=\"label\" aria-label=\"Source label\">",
            button: "Add source")
        html += "</td></tr></table>"
        html +=
            state.withdrawn
            ? form("restore", ["symbol": symbol], "", button: "Restore this record")
            : form(
                "withdraw", ["symbol": symbol],
                "<input type=\"text\" name=\"reason\" placeholder=\"why (optional)\" aria-label=\"Reason\">", button: "Withdraw this record"
            )
        if !editable { return html }
        let chain = try curation.chainView(s)
        if chain.records.count > 1 {
            html += "<h2>Review chain</h2>"
            if chain.loops {
                html +=
                    "<p class=\"conflict\">The reviews links of this chain loop (two nodes each added one half at once); remove one link.</p>"
            }
            html += "<ol class=\"chain\">"
            for c in chain.records {
                let st = try curation.state(c)
                let adopted = st?.fields[.adopted]?.value.stringValue.map { " <span class=\"muted\">adopted \($0)</span>" } ?? ""
                html += "<li>\(link(c.description))\(adopted)"
                html += chain.withdrawn.contains(c.key) ? " <span class=\"badge\">withdrawn</span>" : ""
                html += c == s ? " <span class=\"muted\">this record</span>" : ""
                html += "</li>"
            }
            html += "</ol>"
        }
        html += "<form class=\"inline\" action=\"/record\"><input type=\"hidden\" name=\"symbol\" value=\"\(esc(symbol))\">"
        html +=
            "<input type=\"text\" name=\"asOf\" placeholder=\"2026-11-26 or 2026-11-26T14:00:00Z\" aria-label=\"As of\"><button>Show as of</button></form>"
        html +=
            "<h2 id=\"history\">History\(field.map { " of " + fieldLabel($0) + " <a class=\"muted\" href=\"/record?symbol=\(esc(symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? symbol))#history\">(all fields)</a>" } ?? "")</h2><table class=\"history\"><thead><tr><th>When</th><th>Who</th><th>Change</th><th>Signature</th></tr></thead><tbody>"
        // Redacted events have no facts left to show a change: each shows as its own row,
        // with who redacted it, when and why.
        struct Row {
            let time: String
            let id: String
            let html: String
        }
        var rows: [Row] = []
        let entries = try curation.history(s, field: field)
        let shown = Set(entries.map(\.id))
        for e in entries {
            let validity = e.invalid.map { " · no effect: \($0)" } ?? ""
            rows.append(
                Row(
                    time: e.time, id: e.id,
                    html: "<td>\(who(e.author, names))</td><td>\(esc(e.summary))</td><td>\(esc(e.signature + validity))</td>"))
        }
        for (target, r) in try curation.log.redactedEvents(subject: symbol) where field == nil && !shown.contains(target.id) {
            let signature: String
            switch WireFormat.verifyStored(
                envelopeBytes: target.envelopeBytes, signature: target.signature, bodyBytes: nil, storedID: target.id)
            {
            case .success: signature = "valid (envelope; body erased)"
            case .failure(let why): signature = "BAD (\(why.code.rawValue))"
            }
            rows.append(
                Row(
                    time: target.time, id: target.id,
                    html:
                        "<td>\(who(target.author, names))</td><td>\(esc(target.type)): <strong>body redacted</strong> by \(who(r.author, names)) at \(esc(r.time)): \(esc(r.reason))</td><td>\(esc(signature))</td>"
                ))
        }
        for row in rows.sorted(by: { ($0.time, $0.id) > ($1.time, $1.id) }) {
            html +=
                "<tr><td class=\"nw muted\"><a href=\"/event?id=\(row.id)\" title=\"event \(row.id)\">\(esc(row.time))</a></td>\(row.html)</tr>"
        }
        return html + "</tbody></table>"
    }
}

extension NodeHandlers {
    static func searchForm(_ q: String) -> String {
        "<form class=\"inline\" action=\"/search\"><input type=\"text\" name=\"q\" value=\"\(esc(q))\" placeholder=\"Search titles, summaries, INTERPOL's role, notes, text (word beginnings match)\" aria-label=\"Search\"><button>Search</button></form>"
    }

    /// "1–50 of 812" (or "0 of 0").
    static func range(_ offset: Int, _ shown: Int, _ total: Int) -> String {
        shown == 0 ? "0 of \(total)" : "\(offset + 1)–\(offset + shown) of \(total)"
    }

    static func listFilters(_ q: Curation.ListQuery) -> String {
        func select(_ name: String, _ options: [(String, String)], _ chosen: String) -> String {
            "<select name=\"\(name)\" aria-label=\"\(name)\">"
                + options.map { "<option value=\"\(esc($0.0))\"\($0.0 == chosen ? " selected" : "")>\(esc($0.1))</option>" }.joined()
                + "</select>"
        }
        var html = "<form class=\"inline filters\" action=\"/\">"
        html += select("body", [("", "Both bodies"), ("GA", "General Assembly"), ("SC", "Security Council")], q.body?.rawValue ?? "")
        html +=
            "<input type=\"text\" name=\"year\" value=\"\(q.year.map(String.init) ?? "")\" placeholder=\"year\" aria-label=\"Year\" size=\"5\" class=\"short\">"
        html +=
            "<input type=\"text\" name=\"topic\" value=\"\(esc(q.topic ?? ""))\" placeholder=\"topic\" aria-label=\"Topic\" class=\"short\">"
        html += select("status", [("all", "Current and withdrawn"), ("current", "Current"), ("withdrawn", "Withdrawn")], q.status.rawValue)
        html += select("sort", [("symbol", "By symbol"), ("year", "Newest first"), ("title", "By title")], q.order.rawValue)
        return html + "<button>Filter</button></form>"
    }

    /// Previous / next links keeping the other parameters.
    static func pager(_ p: [String: String], offset: Int, limit: Int, shown: Int, total: Int, path: String) -> String {
        func href(_ o: Int) -> String {
            var q = p
            q["offset"] = String(o)
            let query = q.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
            return esc(path + "?" + query)
        }
        var links: [String] = []
        if offset > 0 { links.append("<a rel=\"prev\" href=\"\(href(max(0, offset - limit)))\">← Previous \(limit)</a>") }
        if offset + shown < total {
            links.append("<a rel=\"next\" href=\"\(href(offset + limit))\">Next \(min(limit, total - offset - shown)) →</a>")
        }
        return links.isEmpty ? "" : "<p class=\"pager\">" + links.joined(separator: " · ") + "</p>"
    }
}
