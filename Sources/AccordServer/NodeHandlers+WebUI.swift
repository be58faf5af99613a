import AccordCore
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird

/// The web UI: server-rendered pages (Mustache templates, `WebTemplates`), readable without
/// JavaScript. The node never signs for a browser: edits are signed by the curator's key in
/// the browser and posted as events.
extension NodeHandlers {
    /// A page: `body` (rendered by a template) inside the shell.
    static func page(
        _ name: String, title: String, _ context: [String: Any], noAdmin: Bool = false, conflicts: Int = 0,
        status: HTTPResponse.Status = .ok
    ) throws
        -> Response
    {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        let html = try WebTemplates.page(name, title: title, context, noAdmin: noAdmin, conflicts: conflicts)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page with the open conflicts counted in its navigation.
    func page(_ name: String, title: String, _ context: [String: Any], noAdmin: Bool = false) async throws -> Response {
        let conflicts = try await blocking { [curation] in try curation.openConflictCount() }
        return try Self.page(name, title: title, context, noAdmin: noAdmin, conflicts: conflicts)
    }

    static func htmlResponse(_ html: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

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

    /// The curator's web UI: pages, forms and assets.
    var webUIRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.get("/") { request, _ -> Response in try await recordsPage(request) }
        router.get("/members") { _, _ -> Response in try await membersPage() }
        router.get("/peers") { _, _ -> Response in try await peersPage() }
        router.get("/audit") { _, _ -> Response in try await auditPage() }
        router.get("/search") { request, _ -> Response in try await searchPage(request) }
        router.get("/record") { request, _ -> Response in try await recordPage(request) }
        router.get("/new") { _, _ -> Response in try await newRecordPage() }
        router.get("/key") { _, _ -> Response in try await self.page("key", title: "Your key", [:]) }
        router.get("/static/accord.js") { _, _ -> Response in Self.asset(WebAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/static/accord.css") { _, _ -> Response in Self.asset(WebAssets.style, type: "text/css; charset=utf-8") }
        router.get("/conflicts") { _, _ -> Response in try await conflictsPage() }
        return router
    }

    func recordsPage(_ request: Request) async throws -> Response {
        let p = Self.parameters(request)
        let query = try Self.listQuery(request)
        let (page, admins) = try await blocking { [curation, log] in (try curation.list(query), try log.membership().activeAdmins) }
        func options(_ list: [(String, String)], _ chosen: String) -> [[String: Any]] {
            list.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == chosen] }
        }
        let context: [String: Any] = [
            "q": "", "year": query.year.map(String.init) ?? "", "topic": query.topic ?? "",
            "bodies": options(
                [("", "Both bodies"), ("GA", "General Assembly"), ("SC", "Security Council")], query.body?.rawValue ?? ""),
            "statuses": options(
                [("all", "Current and withdrawn"), ("current", "Current"), ("withdrawn", "Withdrawn")], query.status.rawValue),
            "sorts": options([("symbol", "By symbol"), ("year", "Newest first"), ("title", "By title")], query.order.rawValue),
            "range": Self.range(page.offset, page.items.count, page.total),
            "records": page.items.map { r -> [String: Any] in
                Self.linkContext(r.symbol).merging([
                    "year": r.year.map(String.init) ?? "", "title": r.title ?? "—", "withdrawn": r.withdrawn,
                ]) { $1 }
            },
            "pager": Self.pager(p, offset: page.offset, limit: page.limit, shown: page.items.count, total: page.total, path: "/")
                as Any,
        ]
        return try await self.page("records", title: "Records", context, noAdmin: admins.isEmpty)
    }

    func membersPage() async throws -> Response {
        let state = try await blocking { [log] in try log.membership() }
        let members = state.members.values.sorted(by: { ($0.name, $0.key) < ($1.name, $1.key) }).map { m -> [String: Any] in
            var standing = (state.periods[m.key] ?? []).map { "\($0.role.rawValue) from seq \($0.fromSeq)" }.joined(separator: ", ")
            if let cut = m.validThroughSeq { standing += "; revoked after seq \(cut)" }
            return ["name": m.name, "role": m.role.rawValue, "key": m.key, "standing": standing]
        }
        return try await self.page("members", title: "Members", ["members": members], noAdmin: state.activeAdmins.isEmpty)
    }

    func peersPage() async throws -> Response {
        let peers = try await blocking { [log] in try log.peers() }
        let context: [String: Any] = [
            "peers": peers.map { p -> [String: Any] in
                [
                    "url": p.url, "lastAttempt": p.lastAttempt ?? "—", "lastSuccess": p.lastSuccess ?? "—", "failures": p.failures,
                    "lastResult": p.lastResult ?? "—",
                ]
            }
        ]
        return try await self.page("peers", title: "Peers", context)
    }

    /// The Audit page: this node's log and who co-signed it, the peers' logs it checked, and
    /// the evidence it keeps. Plain words first, the signed notes on demand.
    func auditPage() async throws -> Response {
        let key = nodeKey
        let (own, cosignatures, held, evidence, epoch, signedAt) = try await blocking { [log] in
            let own = try log.latestCheckpoint()
            let c = try own.map { try Checkpoint(text: $0.text) }
            return (
                own, try c.map { try log.cosignatures(origin: $0.origin, size: $0.size) } ?? [], try log.heldPeerLogs(), try log.evidence(),
                try log.logEpoch(), try log.latestCheckpointTime()
            )
        }
        func time(_ t: UInt64) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(t))) }
        var context: [String: Any] = [
            "verifierSHA256": AuditVerifierPage.sha256,
            "checked": !held.isEmpty,
            "peers": held.map { h -> [String: Any] in
                var row: [String: Any] = [
                    "origin": h.checkpoint.origin, "size": h.checkpoint.size, "verifiedAt": h.verifiedAt, "peer": h.peer,
                ]
                // (Mustache takes a present key as true: only open evidence is named.)
                if let open = evidence.last(where: { $0.family == h.family && $0.decidedAt == nil }) { row["evidence"] = open.id }
                return row
            },
            "evidence": evidence.reversed().map { e -> [String: Any] in
                var row: [String: Any] = [
                    "id": e.id, "foundAt": e.foundAt, "peer": e.peer, "detail": e.detail, "decidedAt": e.decidedAt ?? "", "held": e.held,
                    "seen": e.seen, "proof": e.proof.isEmpty ? "(no proof)" : e.proof,
                ]
                if let decision = e.decision { row["decision"] = decision }
                return row
            },
        ]
        if key != nil, let own, let c = try? Checkpoint(text: own.text) {
            context["own"] = [
                "epoch": epoch, "size": c.size, "restored": epoch > 1,
                "signedAt": signedAt ?? "—",
                "note": String(decoding: SignedNote(text: own.text, signatures: own.signatures + cosignatures).bytes, as: UTF8.self),
                "cosigned": !cosignatures.isEmpty,
                "witnesses": cosignatures.map { ["name": $0.name, "time": Cosignature.time(of: $0).map(time) ?? "—"] },
            ]
        }
        return try await self.page("audit", title: "Audit", context)
    }

    func searchPage(_ request: Request) async throws -> Response {
        let p = Self.parameters(request)
        let q = p["q"] ?? ""
        var context: [String: Any] = ["q": q]
        if !q.trimmingCharacters(in: .whitespaces).isEmpty {
            let limit = try Self.intParameter(p, "limit") ?? 20
            let offset = try Self.intParameter(p, "offset") ?? 0
            let page = try await blocking { [curation] in try curation.search(q, limit: limit, offset: offset) }
            context["searched"] =
                [
                    "range": Self.range(page.offset, page.items.count, page.total), "start": page.offset + 1,
                    "hits": page.items.map { h -> [String: Any] in
                        Self.linkContext(h.symbol).merging(["title": h.title ?? "", "snippet": h.snippet]) { $1 }
                    },
                    "pager": Self.pager(
                        p, offset: page.offset, limit: page.limit, shown: page.items.count, total: page.total, path: "/search")
                        as Any,
                ] as [String: Any]
        }
        return try await self.page("search", title: "Search", context)
    }

    func recordPage(_ request: Request) async throws -> Response {
        let symbol = try symbolParameter(request)
        let asOf = request.uri.queryParameters["asOf"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let at = request.uri.queryParameters["at"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        var field: RecordField?
        if let name = request.uri.queryParameters["field"].map(String.init), !name.isEmpty {
            do throws(DomainError) { field = try RecordField(parsing: name) } catch { throw Problem.badRequest(error.message) }
        }
        let f = field
        let html: String = try await blocking { [curation, log] in
            let s = try curation.existing(symbol)
            let cutoff = try curation.cutoff(asOf: asOf, at: at)
            guard let state = try curation.state(s, cutoff: cutoff) else {
                throw Problem.notFound("\(s) was not in the dataset yet as of \(asOf ?? at ?? "then")")
            }
            let names = Self.names(try log.membership())
            let context = try Self.recordContext(
                s, state, names: names, curation: curation, asOf: cutoff.map { _ in asOf ?? "event " + (at ?? "") }, historyOf: f)
            return try WebTemplates.page("record", title: symbol, context, conflicts: try curation.openConflictCount())
        }
        return Self.htmlResponse(html)
    }

    func newRecordPage() async throws -> Response {
        let fields = RecordField.allCases.map { f -> [String: Any] in
            ["label": Self.fieldLabel(f), "rule": Self.rule(f), "input": Self.input(f, name: "field:" + f.rawValue, value: "")]
        }
        return try await self.page("new", title: "New record", ["fields": fields])
    }

    func conflictsPage() async throws -> Response {
        let (conflicts, names) = try await blocking { [curation, log] in (try curation.conflicts(), Self.names(try log.membership())) }
        let context: [String: Any] = [
            "conflicts": conflicts.compactMap { c -> [String: Any]? in
                guard let field = RecordField(rawValue: c.field) else { return nil }
                return Self.linkContext(c.symbol).merging(Self.headsContext(c.heads, field: field, names: names)) { $1 }
                    .merging(["label": Self.fieldLabel(field), "count": c.heads.count]) { $1 }
            }
        ]
        return try await self.page("conflicts", title: "Conflicts", context)
    }

    static func display(_ v: JSONValue) -> String { ChangeText.value(v) }
}
