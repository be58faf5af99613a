import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

@testable import AccordServer

/// The node's HTTP interface, on a real server on a loopback port.
@Suite struct NodeServerTests {
    final class Running: @unchecked Sendable {
        let dir = TempDir()
        let log: EventLog
        let key = SigningKey.fixed("server-admin")
        let server: TestServer
        var url: String { server.url }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

        init() throws {
            log = try EventLog(path: dir.file("node.db"))
            _ = try log.author([.genesis(name: "server test")], key: key)
            _ = try Curation(log: log).importRecords(Repository.seedRecords, csv: false, key: key)
            server = TestServer(log: log)
        }

        func start(peers: [String] = []) async throws { try await server.start(peers: peers) }

        func get(_ path: String) async throws -> (Int, String, String?) {
            let r = try await http.execute(HTTPClientRequest(url: url + path), timeout: .seconds(60))
            let body = try await r.body.collect(upTo: 8 << 20)
            return (Int(r.status.code), String(buffer: body), r.headers.first(name: "content-type"))
        }

        func fetch(_ path: String, accept: String? = nil) async throws -> (Int, String, HTTPHeaders) {
            var req = HTTPClientRequest(url: url + path)
            if let accept { req.headers.add(name: "accept", value: accept) }
            let r = try await http.execute(req, timeout: .seconds(60))
            let body = try await r.body.collect(upTo: 8 << 20)
            return (Int(r.status.code), String(buffer: body), r.headers)
        }

        func post(_ path: String, _ body: String, type: String, headers: [(String, String)] = []) async throws -> (Int, String, String?) {
            var req = HTTPClientRequest(url: url + path)
            req.method = .POST
            req.headers.add(name: "content-type", value: type)
            for (k, v) in headers { req.headers.add(name: k, value: v) }
            req.body = .bytes(ByteBuffer(string: body))
            let r = try await http.execute(req, timeout: .seconds(60))
            let b = try await r.body.collect(upTo: 8 << 20)
            return (Int(r.status.code), String(buffer: b), r.headers.first(name: "content-type"))
        }

        func stop() async throws {
            await server.stop()
            try await http.shutdown()
        }

        /// A test that threw before `stop()` must fail as a test, not trap the whole run
        /// (an HTTPClient released without shutdown traps in debug builds).
        deinit { try? http.syncShutdown() }
    }

    /// Every operation of the OpenAPI document is requested; each answer's status must be one
    /// the document lists for it, and its body must match the schema listed for that status.
    @Test func everyOperationAnswersAsTheOpenAPIDocumentDescribes() async throws {
        let node = try Running()
        try await node.start()
        let (status, text, type) = try await node.get("/api/v1/openapi.json")
        #expect(status == 200 && type == "application/json")
        let doc = try JSONParser.parse(text)
        #expect(doc["openapi"] == "3.1.0")
        let check = JSONSchemaCheck(root: doc)
        // The schemas themselves use only keywords the check knows.
        for (name, schema) in doc["components"]?["schemas"]?.objectValue ?? [:] {
            #expect(check.errors(.null, schema).allSatisfy { !$0.contains("unknown schema keyword") }, "\(name)")
        }
        // The check can fail: a page without its total, with a wrong item, an extra member.
        let wrong = try JSONParser.parse(#"{"offset":0,"limit":1,"items":[{"symbol":1,"body":"XX","withdrawn":false}],"more":1}"#)
        #expect(check.errors(wrong, ["$ref": "#/components/schemas/RecordPage"]).count == 4)
        let genesis = try node.log.readChunk(after: 0, limit: 1)[0]
        let samples = [
            "symbol": "A/RES/73/11", "q": "cybercrime", "body": "SC", "year": "2019", "topic": "terrorism", "field": "title",
            "id": String(genesis.id.prefix(10)), "sort": "year", "limit": "5",
        ]
        let bodies = [
            "/sync/v1/pull": "{\"vector\":{}}", "/api/v1/events": String(decoding: genesis.wireLine, as: UTF8.self),
            "/sync/v1/push": String(decoding: genesis.wireLine, as: UTF8.self),
            "/api/v1/drafts": #"{"author":"\#(node.key.author.text)","edit":"tag","symbol":"A/RES/73/11","topics":["sample"]}"#,
        ]
        /// Requests `path`, checks the answer against the document; returns the status.
        func request(_ method: String, _ path: String, _ full: String) async throws -> Int {
            let (code, body, contentType) =
                method == "get"
                ? try await node.get(full) : try await node.post(full, bodies[path] ?? "", type: "application/json")
            guard let answer = doc["paths"]?[path]?[method]?["responses"]?[String(code)] else {
                Issue.record("\(method) \(full) answered \(code), which the document does not list: \(body.prefix(200))")
                return code
            }
            guard let content = answer["content"]?.objectValue, let (mediaType, media) = content.first else { return code }
            let actual = contentType?.split(separator: ";").first.map(String.init)
            #expect(actual == mediaType, "\(method) \(full): \(contentType ?? "none"), documented \(mediaType)")
            if let schema = media["schema"] {
                let problems = check.errors(try JSONParser.parse(Array(body.utf8)), schema)
                #expect(problems.isEmpty, "\(method) \(full) \(code): \(problems.prefix(5))")
            }
            return code
        }
        var operations = 0
        for (path, item) in doc["paths"]!.objectValue! {
            for (method, op) in item.objectValue! {
                let query = (op["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.filter { samples[$0] != nil }
                    .map { "\($0)=\(samples[$0]!.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                let full = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                #expect(try await request(method, path, full) == 200, "\(method) \(full)")
                operations += 1
            }
        }
        #expect(operations == OpenAPIDocument.operations.count)
        // Refusals are documented problems too.
        for (path, full, code) in [
            ("/api/v1/record", "/api/v1/record?symbol=A/RES/99/99", 404), ("/api/v1/records", "/api/v1/records?limit=0", 400),
            ("/api/v1/event", "/api/v1/event?id=abc", 400), ("/api/v1/search", "/api/v1/search?q=%00", 400),
        ] {
            #expect(try await request("get", path, full) == code, "\(full)")
        }
        // The documented answers are real data.
        let chain = try await node.get("/api/v1/chain?symbol=A/RES/75/10").1
        #expect(chain == #"["A/RES/71/19","A/RES/73/11","A/RES/75/10"]"#)
        let sc = try JSONParser.parse(Array(try await node.get("/api/v1/records?body=SC").1.utf8))
        #expect(sc["total"] == 8 && sc["items"]?.arrayValue?.count == 8)
        let paged = try JSONParser.parse(Array(try await node.get("/api/v1/records?sort=year&limit=2&offset=1").1.utf8))
        let all = try JSONParser.parse(Array(try await node.get("/api/v1/records?sort=year").1.utf8))["items"]?.arrayValue ?? []
        let years = all.map { $0["year"]?.intValue ?? 0 }
        #expect(all.count == 12 && years == years.sorted(by: >) && years.first == 2020)
        #expect(paged["total"] == 12 && paged["items"]?.arrayValue == Array(all[1...2]))
        let prefix = try JSONParser.parse(Array(try await node.get("/api/v1/search?q=cyber&limit=1").1.utf8))
        #expect(prefix["total"] == 2 && prefix["items"]?.arrayValue?.count == 1)
        for bad in ["/api/v1/records?limit=0", "/api/v1/records?sort=color", "/api/v1/records?year=soon", "/api/v1/search?q=x&limit=501"] {
            #expect(try await node.get(bad).0 == 400, "\(bad)")
        }
        let metrics = try await node.get("/metrics").1
        // The gauge is the log's real size, as /health reports it.
        let health = try JSONParser.parse(Array(try await node.get("/health").1.utf8))
        let events = try #require(health["events"]?.intValue)
        let gauge = metrics.split(separator: "\n").first { $0.hasPrefix("accord_events ") }.flatMap {
            Double($0.dropFirst("accord_events ".count))
        }
        #expect(events > 0 && gauge == Double(events))
        // Hummingbird's middleware counted the requests above by route and status, through swift-metrics.
        #expect(metrics.contains(#"hb_requests{http_route="/api/v1/records",http_request_method="GET",http_response_status_code="400"}"#))
        #expect(metrics.contains("# TYPE http_server_request_duration histogram"))
        try await node.stop()
    }

    /// A body declared larger than the door takes is refused at once, before any of it is
    /// read (a real socket: the point is what the server does before the body arrives).
    @Test func aBodyDeclaredTooLargeIsRefusedBeforeItIsRead() async throws {
        let node = try Running()
        try await node.start()
        for (path, limit) in [
            ("/sync/v1/push", SyncProtocol.maxPushBytes), ("/api/v1/events", NodeHandlers.maxEditBytes),
            ("/api/v1/drafts", NodeHandlers.maxDraftBytes),
        ] {
            let started = Date()
            let answer = try await EditEndpointTests.raw(
                node.url,
                "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: \(limit + 1)\r\n\r\nabc")
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(path): \(answer.prefix(200))")
            #expect(Date().timeIntervalSince(started) < 2, "\(path)")
        }
        try await node.stop()
    }

    @Test func aPeerNamedTwiceIsSyncedOnceAndTheNodeKeepsServing() async throws {
        let node = try Running()
        // Port 9 (discard) refuses: each background sync fails fast and is retried later.
        try await node.start(peers: ["http://127.0.0.1:9", "http://127.0.0.1:9"])
        // The first round tries the peer once: one failure recorded, not two (the next round
        // is 30 s away).
        #expect(await eventually { ((try? node.log.peers()) ?? []).contains { $0.failures > 0 } })
        let peers = try node.log.peers()
        #expect(peers.map(\.url) == ["http://127.0.0.1:9"] && peers.first?.failures == 1, "\(peers)")
        let (_, metrics, _) = try await node.get("/metrics")
        #expect(metrics.contains("accord_peer_syncs_total{result=\"error\"} 1"), "\(metrics.prefix(2000))")
        #expect(try await node.get("/health").0 == 200)
        try await node.stop()
    }

    @Test func theWebUIReadsWithoutJavaScriptAndNeverSignsForABrowser() async throws {
        let node = try Running()
        try await node.start()
        let (code, home, headers) = try await node.fetch("/")
        #expect(code == 200 && headers["content-type"].first?.hasPrefix("text/html") == true)
        #expect(home.contains("A/RES/71/19") && home.contains("S/RES/2529 (2020)"))
        // Scripts only from the node (none inline), no framing, no sniffing.
        #expect(home.components(separatedBy: "<script").count == home.components(separatedBy: "<script src=\"/static/").count)
        let csp = headers["content-security-policy"].first ?? ""
        #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
        #expect(headers["x-content-type-options"].first == "nosniff" && headers["referrer-policy"].first == "same-origin")
        let (_, page, _) = try await node.get("/record?symbol=A%2FRES%2F73%2F11")
        // History names the author and shows each signature as re-checked from its stored bytes.
        #expect(page.contains("Review chain") && page.contains("<th>Signature</th>") && page.contains("<td>valid</td>"))
        #expect(page.contains("<span class=\"who\" title=\"\(node.key.author.text)\">"))
        // Edit forms are hidden until the script finds a key in the browser; they post nowhere themselves.
        #expect(page.contains("data-edit=\"set\"") && !page.contains("method=\"post\""))
        let (search, _, _) = try await node.get("/search?q=cybercrime")
        #expect(search == 200)

        // No route signs anything for a browser: the old form post is gone, and a page on
        // another site cannot post to the write endpoint, even with a body it did not sign.
        let before = try node.log.eventCount()
        for origin in ["http://evil.example", "null"] {
            let (refused, _, _) = try await node.post(
                "/record/set", "symbol=A%2FRES%2F73%2F11&field=notes&value=Forged", type: "application/x-www-form-urlencoded",
                headers: [("Origin", origin)])
            #expect(refused == 404)
        }
        let s = try ResolutionSymbol(parsing: "A/RES/73/11")
        let notes = try Curation(log: node.log).state(s)?.value(.notes)
        let dataset = try #require(try node.log.datasetID())
        var admin = ChainSigner(
            key: node.key, dataset: dataset, seq: try #require(try node.log.chainHead(author: node.key.author.text)).seq,
            prev: try node.log.chainHead(author: node.key.author.text)?.id)
        let signed = admin.sign(DomainEvent.fieldSet(s, field: .notes, value: "replayed", base: []).draft)
        let line = String(decoding: signed.wireLine, as: UTF8.self)
        let attacks: [[(String, String)]] = [
            [("Origin", "http://evil.example")], [("Sec-Fetch-Site", "cross-site")], [("Origin", "null")],
            // DNS rebinding: the attacker's name now points at this node, so Origin and Host agree.
            [("Host", "evil.example"), ("Origin", "http://evil.example")],
        ]
        for h in attacks {
            for path in ["/api/v1/events", "/api/v1/drafts"] {
                let (refused, problem, _) = try await node.post(path, line, type: "text/plain", headers: h)
                #expect(refused == 403 && problem.contains("Cross-site request"), "\(path) \(h)")
            }
        }
        #expect(try node.log.eventCount() == before)
        #expect(try Curation(log: node.log).state(s)?.value(.notes) == notes && notes != "replayed")

        // Errors are pages for a browser and problem+json for everyone else.
        let (missing, missingPage, missingHeaders) = try await node.fetch("/record?symbol=A%2FRES%2F99%2F99", accept: "text/html")
        #expect(missing == 404 && missingHeaders["content-type"].first?.hasPrefix("text/html") == true)
        #expect(missingPage.contains("<h1>Not found</h1>") && missingPage.contains("A/RES/99/99"))
        let (nowhere, nowherePage, _) = try await node.fetch("/no/such/page", accept: "text/html")
        #expect(nowhere == 404 && nowherePage.contains("nothing at /no/such/page"))
        let (api404, _, apiHeaders) = try await node.fetch("/api/v1/record?symbol=A%2FRES%2F99%2F99", accept: "text/html")
        #expect(api404 == 404 && apiHeaders["content-type"].first == "application/problem+json")
        let (nul, _, nulType) = try await node.get("/api/v1/search?q=%00")
        #expect(nul == 400 && nulType == "application/problem+json")
        let (escaped, text, _) = try await node.get("/search?q=%3Cscript%3E")
        #expect(escaped == 200 && !text.contains("<script>"))
        try await node.stop()
    }

    /// What the web UI's script does, done here in Swift: ask for the drafts, sign them as the
    /// chain's next events, post them.
    @Test func draftsAreTheSameRulesAsTheCommandLineAndSignedByTheClient() async throws {
        let node = try Running()
        let curator = SigningKey.fixed("drafts-curator")
        try Curation(log: node.log).authorize([.granted(key: curator.author, role: .editor, name: "Dora Drafts")], key: node.key)
        try await node.start()
        let s = try ResolutionSymbol(parsing: "A/RES/73/11")
        func drafts(_ edit: String) async throws -> (Int, JSONValue) {
            let body = "{\"author\":\"\(curator.author.text)\"," + edit.dropFirst()
            let (code, text, _) = try await node.post("/api/v1/drafts", body, type: "application/json")
            return (code, try JSONParser.parse(Array(text.utf8)))
        }
        func signAndPost(_ answer: JSONValue) async throws -> (Int, String) {
            var chain = ChainSigner(
                key: curator, dataset: answer["dataset"]!.stringValue!, seq: answer["seq"]!.intValue!, prev: answer["prev"]?.stringValue,
                last: answer["after"]?.stringValue.flatMap(HLCTime.init))
            let events = answer["drafts"]!.arrayValue!.map { d in
                chain.sign(
                    EventDraft(
                        type: d["type"]!.stringValue!, schema: d["schema"]!.intValue!, subject: d["subject"]?.stringValue, body: d["body"]!)
                )
            }
            let (code, text, _) = try await node.post("/api/v1/events", EditEndpointTests.lines(events), type: "application/x-ndjson")
            return (code, text)
        }
        let heads = try Curation(log: node.log).state(s)!.fields[.summary]!.heads.map(\.id)
        let seen = heads.map { "\"\($0)\"" }.joined(separator: ",")
        let (ok, first) = try await drafts(
            #"{"edit":"set","symbol":"A/RES/73/11","field":"summary","text":"Dora's summary","seen":[\#(seen)]}"#)
        #expect(ok == 200 && first["seq"]?.intValue == 0 && first["member"]?["name"]?.stringValue == "Dora Drafts")
        #expect(first["drafts"]?.arrayValue?.first?["type"]?.stringValue == "field.set")
        // Salted as the node salts its own edits, so the client's event resists guessing once redacted.
        let salt = first["drafts"]?.arrayValue?.first?["body"]?["salt"]?.stringValue
        #expect(salt.map(BodySalt.isWellFormed) == true, "\(first)")
        #expect(try await signAndPost(first).0 == 200)
        #expect(try Curation(log: node.log).state(s)?.value(.summary) == "Dora's summary")
        // The same edit from a tab that still shows the old summary: changed meanwhile.
        let (stale, problem) = try await drafts(
            #"{"edit":"set","symbol":"A/RES/73/11","field":"summary","text":"older tab","seen":[\#(seen)]}"#)
        #expect(stale == 409 && problem["detail"]?.stringValue?.contains("changed meanwhile") == true)
        // The chain continues after the first edit: seq and prev come from the node.
        let (_, tags) = try await drafts(#"{"edit":"tag","symbol":"A/RES/73/11","topics":["Border Control"]}"#)
        #expect(tags["seq"]?.intValue == 1)
        #expect(try await signAndPost(tags).0 == 200)
        #expect(try Curation(log: node.log).state(s)?.topics.contains("border control") == true)
        // The review chain's rules: no record reviews itself or closes a loop.
        for (edit, why) in [
            (#"{"edit":"link","symbol":"A/RES/73/11","links":[{"rel":"reviews","target":"A/RES/73/11"}]}"#, "itself"),
            (#"{"edit":"link","symbol":"A/RES/71/19","links":[{"rel":"reviews","target":"A/RES/75/10"}]}"#, "loop"),
            (#"{"edit":"set","symbol":"A/RES/99/99","field":"notes","text":"x"}"#, "A/RES/99/99"),
            (#"{"edit":"explode","symbol":"A/RES/73/11"}"#, "unknown edit"),
            (#"{"edit":"withdraw","symbol":"A/RES/73/11","author":"ed25519:nope"}"#, "author"),
        ] {
            let (code, p) = try await drafts(edit)
            #expect([400, 404].contains(code) && p["detail"]?.stringValue?.contains(why) == true, "\(edit): \(p)")
        }
        try await node.stop()
    }

    @Test func eventPagesTakeShortIdsAndShowRedactionsAndTheRecordAsOfATime() async throws {
        let node = try Running()
        let s = try ResolutionSymbol(parsing: "A/RES/73/11")
        let curation = Curation(log: node.log)
        let before = try #require(try node.log.chainHead(author: node.key.author.text)).time
        let secret = try #require(try curation.set(s, .notes, "a private phone number", key: node.key))
        try curation.authorize([.redacted(target: secret, reason: "personal data")], key: node.key)
        try await node.start()
        // An event by its first 10 hex digits, as JSON and as a page.
        let (code, text, _) = try await node.get("/api/v1/event?id=\(secret.prefix(10))")
        let event = try JSONParser.parse(Array(text.utf8))
        #expect(code == 200 && event["id"]?.stringValue == secret && event["body"] == .null)
        #expect(event["redaction"]?["reason"] == "personal data" && event["signature"] == "valid")
        let (_, page, _) = try await node.get("/event?id=\(secret.prefix(8))")
        #expect(page.contains("<strong>Redacted</strong>") && page.contains("personal data") && !page.contains("phone number"))
        // Too short, not hex, or unknown: refused with why.
        for (id, status, says) in [
            ("abc", 400, "at least its first 8"), ("zzzzzzzzzz", 400, "not an event id"),
            (String(repeating: "0", count: 12), 404, "no event"),
        ] {
            let (c, p, _) = try await node.get("/api/v1/event?id=\(id)")
            #expect(c == status && p.contains(says), "\(id): \(c) \(p)")
        }
        // The record's history shows the redaction: who, when, why, and the erased event's envelope still verifies.
        let (_, record, _) = try await node.get("/record?symbol=A%2FRES%2F73%2F11")
        #expect(
            record.contains("<strong>body redacted</strong>") && record.contains("personal data")
                && record.contains("valid (envelope; body erased)"))
        #expect(!record.contains("phone number"))
        // As of a time before the edit: the record as it stood, read-only.
        let asOf = try await node.get(
            "/record?symbol=A%2FRES%2F73%2F11&asOf=\(before.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
        #expect(asOf.0 == 200 && asOf.1.contains("As of") && !asOf.1.contains("data-edit="))
        let never = try await node.get("/record?symbol=A%2FRES%2F73%2F11&asOf=2000-01-01")
        #expect(never.0 == 404 && never.1.contains("not in the dataset yet as of 2000-01-01"))
        // One field's history.
        let (_, titleHistory, _) = try await node.get("/record?symbol=A%2FRES%2F73%2F11&field=title")
        let rows = titleHistory.components(separatedBy: "id=\"history\"").last ?? ""
        #expect(titleHistory.contains("History of Title") && rows.contains("title: —") && !rows.contains("topic added"))
        #expect(try await node.get("/record?symbol=A%2FRES%2F73%2F11&field=colour").0 == 400)
        let (peers, peersPage, _) = try await node.get("/peers")
        #expect(peers == 200 && peersPage.contains("No peers"))
        try await node.stop()
    }

    @Test func malformedHeadsAndOwedBodiesInAPullAreRefused() async throws {
        let node = try Running()
        try await node.start()
        let before = try node.log.versionVector()
        let key = SigningKey.fixed("pull-test").author.text
        let tooMany =
            "{\"vector\":{},\"bodies\":["
            + Array(repeating: "\"" + String(repeating: "a", count: 64) + "\"", count: 1_001).joined(separator: ",") + "]}"
        // Each broken request, and the part of the refusal that names what is wrong in it.
        for (body, names) in [
            (#"{"vector":{},"heads":{"\#(key)":"not-an-id"}}"#, "heads maps"), (#"{"vector":{},"heads":["x"]}"#, "heads maps"),
            (#"{"vector":{},"bodies":["zz"]}"#, "bodies is an array"),
            (tooMany, "bodies is an array"),
        ] {
            let (code, problem, type) = try await node.post("/sync/v1/pull", body, type: "application/json")
            #expect(code == 400 && type == "application/problem+json", "\(body.prefix(80))")
            #expect(problem.contains(names), "\(problem)")
        }
        #expect(try node.log.versionVector() == before)
        try await node.stop()
    }

    @Test func onlyTheNodesOwnHostsTakeFormPosts() {
        for host in ["127.0.0.1:8080", "127.0.0.1", "localhost:8080", "[::1]:8080", "[::1]", "hub.example:8080"] {
            #expect(NodeHandlers.isOwnHost(host, allowed: ["hub.example"]), "\(host)")
        }
        for host in [
            "evil.example", "127.0.0.1:19501@evil.com", "127.0.0.1:99999", "[evil.com]", "[evil.com]:19501", "[::1]evil.com",
            "127.0.0.1.nip.io", "0x7f.1", "127.1", "", "hub.example.:80",
        ] {
            #expect(!NodeHandlers.isOwnHost(host, allowed: ["hub.example"]), "\(host)")
        }
    }
}
