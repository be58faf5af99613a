import AccordCore
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird

/// The web UI: server-rendered HTML, readable without JavaScript. Edits are plain form
/// posts, signed with the node's own key.
extension NodeHandlers {
    static func html(_ title: String, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        let page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title)) · Accord</title>
            <style>
            body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
            header{display:flex;gap:1rem;align-items:baseline;border-bottom:2px solid #0b4f8a;margin-bottom:1rem}
            header a{color:#0b4f8a;text-decoration:none;font-weight:600}
            table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}td{overflow-wrap:anywhere}th,td.nw{white-space:nowrap;overflow-wrap:normal}
            .conflict{background:#fff4d6;border-left:4px solid #d99a00;padding:.4rem .6rem;margin:.3rem 0}
            .muted{color:#666;font-size:.9em} .tag{background:#e6eef6;border-radius:.6rem;padding:0 .5rem;margin-right:.3rem;white-space:nowrap}
            form.inline{display:flex;gap:.4rem;flex-wrap:wrap;margin:.5rem 0} input[type=text]{flex:1;min-width:12rem}
            </style></head><body>
            <header><a href="/">Accord</a><span class="muted">UN resolutions highlighting INTERPOL's role</span>
            <a href="/conflicts">Conflicts</a><a href="/members">Members</a></header>
            \(body)
            </body></html>
            """
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static let noAdminWarning =
        "<p class=\"conflict\" role=\"alert\"><strong>This dataset has no admin.</strong> Every admin key is revoked or no longer an admin "
        + "(concurrent changes on offline nodes), so nobody can grant, revoke or redact any more.</p>"

    /// Why a form post does not come from this node's own pages, or nil. Browsers send
    /// `Sec-Fetch-Site` and `Origin` (and `Referer`); each must name this node. The `Host`
    /// itself must be an address of the node, `localhost`, or a name given with
    /// `--allowed-host`: a page whose domain was re-pointed at this node (DNS rebinding)
    /// is same-origin to the browser but names a host the node does not answer to.
    /// Non-browser clients send none of these and are let through.
    func crossSite(_ request: Request) -> String? {
        let host = request.head.authority ?? ""
        if !Self.isOwnHost(host, allowed: allowedHosts) {
            return "this node does not answer to the host \"\(host)\" for edits; use its address, or start it with --allowed-host NAME"
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            return "this form post comes from another site (Sec-Fetch-Site: \(site)); edit from this node's own pages"
        }
        let own = "\(tls ? "https" : "http")://\(host)"
        if let origin = request.headers[.origin], origin != own {
            return "this form post comes from \(origin), not from this node (\(own)); edit from this node's own pages"
        }
        if let referer = request.headers[.referer], referer != own, !referer.hasPrefix(own + "/") {
            return "this form post comes from \(referer), not from this node (\(own)); edit from this node's own pages"
        }
        return nil
    }

    /// An IP literal, `localhost`, or an allowed name, with an optional numeric port.
    static func isOwnHost(_ authority: String, allowed: Set<String>) -> Bool {
        var name = authority.lowercased()
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let inside = name[name.index(after: name.startIndex)..<close]
            let rest = name[name.index(after: close)...]
            let literal = !inside.isEmpty && inside.contains(":") && inside.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            return literal && (rest.isEmpty || (rest.first == ":" && isPort(rest.dropFirst())))
        }
        if let colon = name.firstIndex(of: ":") {
            guard isPort(name[name.index(after: colon)...]) else { return false }
            name = String(name[..<colon])
        }
        if name == "localhost" || allowed.contains(name) { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in !p.isEmpty && p.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(p) != nil }
    }

    static func isPort(_ s: Substring) -> Bool {
        !s.isEmpty && s.count <= 5 && s.allSatisfy { $0.isASCII && $0.isNumber } && Int(s)! <= 65535
    }

    static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func link(_ symbol: String) -> String {
        "<a href=\"/record?symbol=\(esc(symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? symbol))\">\(esc(symbol))</a>"
    }

    /// Parses an `application/x-www-form-urlencoded` body.
    static func form(_ body: ByteBuffer) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let k = kv.first { out[k] = kv.count > 1 ? kv[1] : "" }
        }
        return out
    }

    func addWebUI(to router: Router<NodeServer.Context>) {
        router.get("/") { request, _ -> Response in
            let body = request.uri.queryParameters["body"].map { String($0).uppercased() }
            let (rows, admins) = try await blocking { [curation, log] in
                (try curation.list(body: body.flatMap { ResolutionSymbol.Body(rawValue: $0) }), try log.membership().activeAdmins)
            }
            var html = admins.isEmpty ? Self.noAdminWarning : ""
            html += """
                <form class="inline" action="/search"><input type="text" name="q" placeholder="Search titles, summaries, INTERPOL's role, notes, text" aria-label="Search"><button>Search</button></form>
                <p><a href="/">All</a> · <a href="/?body=GA">General Assembly</a> · <a href="/?body=SC">Security Council</a></p>
                <table><thead><tr><th>Symbol</th><th>Year</th><th>Title</th></tr></thead><tbody>
                """
            for r in rows {
                html +=
                    "<tr><td>\(Self.link(r.symbol))</td><td>\(r.year.map(String.init) ?? "")</td><td>\(Self.esc(r.title ?? "—"))\(r.withdrawn ? " <span class=\"muted\">(withdrawn)</span>" : "")</td></tr>"
            }
            html += "</tbody></table><p class=\"muted\">\(rows.count) records</p>"
            return Self.html("Records", html)
        }

        router.get("/members") { _, _ -> Response in
            let state = try await blocking { [log] in try log.membership() }
            var html = state.activeAdmins.isEmpty ? Self.noAdminWarning : ""
            html += "<h1>Members</h1><table><thead><tr><th>Name</th><th>Role</th><th>Key</th><th>Standing</th></tr></thead><tbody>"
            for m in state.members.values.sorted(by: { ($0.name, $0.key) < ($1.name, $1.key) }) {
                var standing = (state.periods[m.key] ?? []).map { "\($0.role.rawValue) from seq \($0.fromSeq)" }.joined(separator: ", ")
                if let cut = m.validThroughSeq { standing += "; revoked after seq \(cut)" }
                html +=
                    "<tr><td>\(Self.esc(m.name))</td><td class=\"nw\">\(m.role.rawValue)</td><td><code>\(Self.esc(m.key))</code></td><td>\(Self.esc(standing))</td></tr>"
            }
            html += "</tbody></table>"
            return Self.html("Members", html)
        }

        router.get("/search") { request, _ -> Response in
            let q = request.uri.queryParameters["q"].map(String.init) ?? ""
            var html =
                "<form class=\"inline\" action=\"/search\"><input type=\"text\" name=\"q\" value=\"\(Self.esc(q))\" aria-label=\"Search\"><button>Search</button></form>"
            if !q.trimmingCharacters(in: .whitespaces).isEmpty {
                let hits = try await blocking { [curation] in try curation.search(q) }
                html += hits.isEmpty ? "<p>No match.</p>" : "<ol>"
                for h in hits {
                    html +=
                        "<li>\(Self.link(h.symbol)) \(Self.esc(h.title ?? ""))<br><span class=\"muted\">\(Self.esc(h.snippet))</span></li>"
                }
                if !hits.isEmpty { html += "</ol>" }
            }
            return Self.html("Search", html)
        }

        router.get("/record") { request, _ -> Response in
            let symbol = try symbolParameter(request)
            let page: String = try await blocking { [curation, key] in
                let s = try curation.existing(symbol)
                guard let state = try curation.state(s) else { throw RecordNotFound(symbol: s) }
                var html = "<h1>\(Self.esc(s.description))\(state.withdrawn ? " <span class=\"muted\">(withdrawn)</span>" : "")</h1><table>"
                for f in RecordField.allCases {
                    guard let st = state.fields[f] else { continue }
                    html += "<tr><th>\(f.rawValue)</th><td>\(Self.esc(Self.display(st.value)))"
                    if st.inConflict {
                        html +=
                            "<div class=\"conflict\"><strong>Conflict:</strong> \(st.heads.count) concurrent values; the one shown is provisional.<ul>"
                        for h in st.heads {
                            html +=
                                "<li>\(Self.esc(Self.display(h.value))) <span class=\"muted\">by \(Self.esc(String(h.author.prefix(24))))… at \(Self.esc(h.time))</span></li>"
                        }
                        html += "</ul></div>"
                    }
                    html += "</td></tr>"
                }
                html +=
                    "<tr><th>topics</th><td>" + state.topics.map { "<span class=\"tag\">\(Self.esc($0))</span>" }.joined() + "</td></tr>"
                for l in state.links {
                    let target = try curation.resolveTarget(l.target)
                    html +=
                        "<tr><th>\(l.rel.rawValue)</th><td>\(target.map(Self.link) ?? Self.esc(l.target.description) + " <span class=\"muted\">(not in the dataset yet)</span>")</td></tr>"
                }
                for (rel, from) in try curation.incomingLinks(s) { html += "<tr><th>\(rel) by</th><td>\(Self.link(from))</td></tr>" }
                for src in state.sources {
                    html +=
                        "<tr><th>source</th><td><a href=\"\(Self.esc(src.url))\">\(Self.esc(src.label.isEmpty ? src.url : src.label))</a></td></tr>"
                }
                html += "</table>"
                let chain = try curation.chain(s)
                if chain.count > 1 {
                    html += "<p>Review chain: " + chain.map { Self.link($0.description) }.joined(separator: " → ") + "</p>"
                }
                if key != nil {
                    html += """
                        <h2>Edit</h2><form class="inline" method="post" action="/record/set">
                        <input type="hidden" name="symbol" value="\(Self.esc(s.description))">
                        <select name="field" aria-label="Field">\(RecordField.allCases.map { "<option>\($0.rawValue)</option>" }.joined())</select>
                        <input type="text" name="value" aria-label="Value"><button>Sign and save</button></form>
                        """
                }
                html += "<h2>History</h2><table><thead><tr><th>When</th><th>Who</th><th>Change</th><th>Signature</th></tr></thead><tbody>"
                for e in try curation.history(s).reversed() {
                    let validity = e.invalid.map { " · invalid: \($0)" } ?? ""
                    html +=
                        "<tr><td class=\"muted\">\(Self.esc(e.time))</td><td class=\"muted\">\(Self.esc(String(e.author.prefix(20))))…</td><td>\(Self.esc(e.summary))</td><td class=\"nw\">\(Self.esc(e.signature + validity))</td></tr>"
                }
                return html + "</tbody></table>"
            }
            return Self.html(symbol, page)
        }

        router.post("/record/set") { request, _ -> Response in
            guard let key else { throw Problem(.forbidden, "Read-only node", "this node has no key to sign edits with") }
            if let why = crossSite(request) { throw Problem(.forbidden, "Cross-site form post", why) }
            var request = request
            let form = Self.form(try await request.collectBody(upTo: 1 << 20))
            guard let symbol = form["symbol"], let fieldName = form["field"] else {
                throw Problem.badRequest("symbol and field are required")
            }
            let value = form["value"] ?? ""
            try await blocking { [curation] in
                let s = try curation.existing(symbol)
                let f = try RecordField(parsing: fieldName)
                let v = value.isEmpty ? JSONValue.null : try f.parse(text: value)
                let state = try curation.state(s)?.fields[f]
                _ = try curation.set(s, f, v, key: key, resolving: state?.inConflict ?? false)
            }
            var headers = HTTPFields()
            headers[.location] = "/record?symbol=" + (symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? symbol)
            return Response(status: .seeOther, headers: headers)
        }

        router.get("/conflicts") { _, _ -> Response in
            let conflicts = try await blocking { [curation] in try curation.conflicts() }
            var html = "<h1>Conflicts</h1>"
            if conflicts.isEmpty { html += "<p>No conflicts.</p>" }
            for c in conflicts {
                html +=
                    "<div class=\"conflict\">\(Self.link(c.symbol)) <strong>\(c.field)</strong>: showing \(Self.esc(Self.display(c.provisional.value)))<ul>"
                for h in c.heads {
                    html += "<li>\(Self.esc(Self.display(h.value))) <span class=\"muted\">by \(Self.esc(h.author))</span></li>"
                }
                html += "</ul></div>"
            }
            return Self.html("Conflicts", html)
        }
    }

    static func display(_ v: JSONValue) -> String { Curation.HistoryEntry.display(v) }
}
