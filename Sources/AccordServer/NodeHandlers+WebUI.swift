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
            <link rel="stylesheet" href="/static/accord.css"><script src="/static/accord.js" defer></script></head><body>
            <header><a href="/">Accord</a><span class="muted">UN resolutions highlighting INTERPOL's role</span>
            <a href="/conflicts">Conflicts</a><a href="/members">Members</a><a href="/peers">Peers</a><a href="/new">New record</a><a href="/key" id="nav-key">Your key</a></header>
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
            return
                "this node does not answer to the host \"\(host)\" for edits from a browser; use its address, or start it with --allowed-host NAME"
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            return "this request comes from another site (Sec-Fetch-Site: \(site)); edit from this node's own pages"
        }
        let own = "\(tls ? "https" : "http")://\(host)"
        if let origin = request.headers[.origin], origin != own {
            return "this request comes from \(origin), not from this node (\(own)); edit from this node's own pages"
        }
        if let referer = request.headers[.referer], referer != own, !referer.hasPrefix(own + "/") {
            return "this request comes from \(referer), not from this node (\(own)); edit from this node's own pages"
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

    func addWebUI(to router: Router<NodeServer.Context>) {
        router.get("/") { request, _ -> Response in
            let p = Self.parameters(request)
            let query = try Curation.ListQuery(parameters: p)
            let (page, admins) = try await blocking { [curation, log] in (try curation.list(query), try log.membership().activeAdmins) }
            var html = admins.isEmpty ? Self.noAdminWarning : ""
            html += Self.searchForm("")
            html += Self.listFilters(query)
            html += "<p class=\"muted\" id=\"count\">\(Self.range(page.offset, page.items.count, page.total)) records</p>"
            html += "<table class=\"list\"><thead><tr><th>Symbol</th><th>Year</th><th>Title</th></tr></thead><tbody>"
            for r in page.items {
                html +=
                    "<tr><td class=\"nw\">\(Self.link(r.symbol))</td><td class=\"nw\">\(r.year.map(String.init) ?? "")</td><td>\(Self.esc(r.title ?? "—"))\(r.withdrawn ? " <span class=\"badge\">withdrawn</span>" : "")</td></tr>"
            }
            html +=
                "</tbody></table>"
                + Self.pager(p, offset: page.offset, limit: page.limit, shown: page.items.count, total: page.total, path: "/")
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
            html += "</tbody></table><h2>Grant a key</h2>" + Self.editingNote
            html += Self.form(
                "grant", [:],
                "<input type=\"text\" name=\"key\" placeholder=\"ed25519:...\" aria-label=\"Public key\"><input type=\"text\" name=\"name\" placeholder=\"name\" aria-label=\"Name\" class=\"short\">"
                    + "<select name=\"role\" aria-label=\"Role\"><option>editor</option><option>admin</option></select>",
                button: "Sign and grant")
            html += "<p class=\"muted\">Only an admin's grant counts: the node refuses one signed by any other key.</p>"
            return Self.html("Members", html)
        }

        router.get("/peers") { _, _ -> Response in
            let peers = try await blocking { [log] in try log.peers() }
            var html = "<h1>Peers</h1><p>The nodes this node syncs with, and how the last sync went.</p>"
            if peers.isEmpty { html += "<p>No peers: this node syncs with none (start it with --peer URL, or run accord sync).</p>" }
            html +=
                "<table><thead><tr><th>Peer</th><th>Last attempt</th><th>Last success</th><th>Failures in a row</th><th>Last result</th></tr></thead><tbody>"
            for p in peers {
                html +=
                    "<tr><td><code>\(Self.esc(p.url))</code></td><td class=\"nw\">\(Self.esc(p.lastAttempt ?? "—"))</td><td class=\"nw\">\(Self.esc(p.lastSuccess ?? "—"))</td>"
                html += "<td>\(p.failures)</td><td>\(Self.esc(p.lastResult ?? "—"))</td></tr>"
            }
            return Self.html("Peers", html + "</tbody></table>")
        }

        router.get("/search") { request, _ -> Response in
            let p = Self.parameters(request)
            let q = p["q"] ?? ""
            var html = Self.searchForm(q)
            if !q.trimmingCharacters(in: .whitespaces).isEmpty {
                let limit = try Self.intParameter(p, "limit") ?? 20
                let offset = try Self.intParameter(p, "offset") ?? 0
                let page = try await blocking { [curation] in try curation.search(q, limit: limit, offset: offset) }
                html += "<p class=\"muted\" id=\"count\">\(Self.range(page.offset, page.items.count, page.total)) matches</p>"
                if !page.items.isEmpty { html += "<ol start=\"\(page.offset + 1)\" class=\"hits\">" }
                for h in page.items {
                    html +=
                        "<li>\(Self.link(h.symbol)) \(Self.esc(h.title ?? ""))<br><span class=\"muted\">\(Self.esc(h.snippet))</span></li>"
                }
                if !page.items.isEmpty { html += "</ol>" }
                html += Self.pager(p, offset: page.offset, limit: page.limit, shown: page.items.count, total: page.total, path: "/search")
            }
            return Self.html("Search", html)
        }

        router.get("/record") { request, _ -> Response in
            let symbol = try symbolParameter(request)
            let asOf = request.uri.queryParameters["asOf"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let at = request.uri.queryParameters["at"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            var field: RecordField?
            if let name = request.uri.queryParameters["field"].map(String.init), !name.isEmpty {
                do throws(DomainError) { field = try RecordField(parsing: name) } catch { throw Problem.badRequest(error.message) }
            }
            let f = field
            let page: String = try await blocking { [curation, log] in
                let s = try curation.existing(symbol)
                let cutoff = try curation.cutoff(asOf: asOf, at: at)
                guard let state = try curation.state(s, cutoff: cutoff) else {
                    throw Problem.notFound("\(s) was not in the dataset yet as of \(asOf ?? at ?? "then")")
                }
                let names = Self.names(try log.membership())
                return try Self.recordPage(
                    s, state, names: names, curation: curation, asOf: cutoff.map { _ in asOf ?? "event " + (at ?? "") }, historyOf: f)
            }
            return Self.html(symbol, page)
        }

        router.get("/new") { _, _ -> Response in
            var html = "<h1>New record</h1>" + Self.editingNote
            html +=
                "<form class=\"edit stack\" data-edit=\"add\" hidden><label>Symbol <input type=\"text\" name=\"symbol\" required placeholder=\"A/RES/80/5 or S/RES/2700 (2024)\"></label>"
            for f in RecordField.allCases {
                html +=
                    "<label>\(Self.fieldLabel(f)) \(Self.input(f, name: "field:" + f.rawValue, value: ""))</label><span class=\"muted\">\(Self.esc(Self.rule(f)))</span>"
            }
            html += "<button>Sign and add</button></form>"
            return Self.html("New record", html)
        }

        router.get("/key") { _, _ -> Response in
            let html = """
                <h1>Your key</h1>
                <p>Your edits are signed in this browser with a key of your own, kept in this browser (IndexedDB) and never sent anywhere: \
                the node only ever sees its public half and your signatures. One key per browser, like one key per laptop for the command line.</p>
                \(Self.editingNote)
                <div id="key-none" hidden><p>This browser has no key for this node yet.</p>
                <p><button id="key-create">Create a key in this browser</button></p>
                <p><label>Or import a key file made by <code>accord keygen</code>: <input type="file" id="key-import"></label></p></div>
                <div id="key-some" hidden><p>Public key: <code id="key-public"></code></p><p id="key-member"></p>
                <p>An admin makes it a member on a node that holds their admin key:</p><pre id="key-grant"></pre>
                <p><label>Your name, for the command: <input type="text" id="key-name" value="Your Name"></label></p>
                <p><button id="key-forget" class="secondary">Forget this key in this browser</button></p></div>
                """
            return Self.html("Your key", html)
        }

        router.get("/static/accord.js") { _, _ -> Response in Self.asset(WebAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/static/accord.css") { _, _ -> Response in Self.asset(WebAssets.style, type: "text/css; charset=utf-8") }

        router.get("/conflicts") { _, _ -> Response in
            let (conflicts, names) = try await blocking { [curation, log] in (try curation.conflicts(), Self.names(try log.membership())) }
            var html = "<h1>Conflicts</h1>" + Self.editingNote
            if conflicts.isEmpty { html += "<p>No conflicts.</p>" }
            for c in conflicts {
                guard let field = RecordField(rawValue: c.field) else { continue }
                html +=
                    "<div class=\"conflict\">\(Self.link(c.symbol)) <strong>\(Self.fieldLabel(field))</strong>: \(c.heads.count) values written concurrently"
                html += Self.headsList(c.heads, symbol: c.symbol, field: field, names: names) + "</div>"
            }
            return Self.html("Conflicts", html)
        }
    }

    static func display(_ v: JSONValue) -> String { Curation.HistoryEntry.display(v) }
}
