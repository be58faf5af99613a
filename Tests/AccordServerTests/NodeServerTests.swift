import AccordCore
import AccordStore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Testing

@testable import AccordServer

/// The node's HTTP interface, on a real server on a loopback port.
@Suite struct NodeServerTests {
    final class Running: @unchecked Sendable {
        let dir = NSTemporaryDirectory() + "accord-server-" + UUID().uuidString
        let log: EventLog
        let key = SigningKey.fixed("server-admin")
        var url = ""
        var task: Task<Void, any Error>?
        var services: ServiceGroup?
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            log = try EventLog(path: dir + "/node.db", projectors: [CurationProjector()])
            _ = try log.author([.genesis(name: "server test")], key: key)
            let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Events/seed/resolutions.json")
            _ = try Curation(log: log).importRecords([UInt8](try Data(contentsOf: seed)), csv: false, key: key)
        }

        func start(peers: [String] = []) async throws {
            var quiet = Logger(label: "server-test")
            quiet.logLevel = .error
            let (stream, cont) = AsyncStream.makeStream(of: Int.self)
            let app = try NodeServer.application(
                log: log, key: key, configuration: NodeConfiguration(host: "127.0.0.1", port: 0, peers: peers), logger: quiet,
                onRunning: { cont.yield($0) })
            // Stopped by a graceful shutdown, which the server does not log as an error.
            let services = ServiceGroup(services: [app], logger: quiet)
            self.services = services
            task = Task { try await services.run() }
            for await port in stream {
                url = "http://127.0.0.1:\(port)"
                break
            }
        }

        func get(_ path: String) async throws -> (Int, String, String?) {
            let r = try await http.execute(HTTPClientRequest(url: url + path), timeout: .seconds(60))
            let body = try await r.body.collect(upTo: 8 << 20)
            return (Int(r.status.code), String(buffer: body), r.headers.first(name: "content-type"))
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
            await services?.triggerGracefulShutdown()
            _ = await task?.result
            try await http.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }

        /// A test that threw before `stop()` must fail as a test, not trap the whole run
        /// (an HTTPClient released without shutdown traps in debug builds).
        deinit {
            task?.cancel()
            try? http.syncShutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func everyPathOfTheOpenAPIDocumentAnswers() async throws {
        let node = try Running()
        try await node.start()
        let (status, text, type) = try await node.get("/api/v1/openapi.json")
        #expect(status == 200 && type == "application/json")
        let doc = try JSONParser.parse(text)
        #expect(doc["openapi"] == "3.1.0")
        let paths = doc["paths"]!.objectValue!
        #expect(paths.count == OpenAPIDocument.paths.map(\.path).count)
        // The edit endpoint gets an event it already holds (a duplicate answers 200).
        let genesis = try node.log.readChunk(after: 0, limit: 1)[0].wireLine
        let samples = ["symbol": "A/RES/73/11", "q": "cybercrime", "body": "SC", "year": "2019", "topic": "terrorism", "field": "title"]
        for (path, item) in paths {
            for (method, op) in item.objectValue! {
                let query = (op["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.filter { samples[$0] != nil }
                    .map { "\($0)=\(samples[$0]!.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                let full = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                let (code, _, _) =
                    method == "get"
                    ? try await node.get(full)
                    : try await node.post(
                        full,
                        path.hasSuffix("pull")
                            ? "{\"vector\":{}}" : path.hasSuffix("events") ? String(decoding: genesis, as: UTF8.self) : "",
                        type: "application/json")
                #expect(code == 200, "\(method) \(full) answered \(code)")
            }
        }
        // The documented answers are real data.
        let chain = try await node.get("/api/v1/chain?symbol=A/RES/75/10").1
        #expect(chain == #"["A/RES/71/19","A/RES/73/11","A/RES/75/10"]"#)
        let sc = try await node.get("/api/v1/records?body=SC").1
        #expect(sc.components(separatedBy: "\"symbol\"").count - 1 == 8)
        let metrics = try await node.get("/metrics").1
        // The gauge is the log's real size, as /health reports it.
        let health = try JSONParser.parse(Array(try await node.get("/health").1.utf8))
        let events = try #require(health["events"]?.intValue)
        #expect(events > 0 && metrics.contains("accord_events \(events)\n"))
        try await node.stop()
    }

    @Test func errorsAreProblemDetails() async throws {
        let node = try Running()
        try await node.start()
        for (path, expected) in [
            ("/api/v1/record?symbol=A/RES/x", 400), ("/api/v1/record", 400), ("/api/v1/search", 400),
            ("/api/v1/history?symbol=A/RES/99/1", 404), ("/api/v1/record?symbol=S/RES/9999", 404),
            ("/api/v1/chain?symbol=A/RES/99/1", 404),
        ] {
            let (code, body, type) = try await node.get(path)
            #expect(code == expected, "\(path)")
            #expect(type == "application/problem+json", "\(path)")
            let p = try JSONParser.parse(body)
            #expect(p["status"]?.intValue == expected && !(p["detail"]?.stringValue ?? "").isEmpty)
        }
        let (code, body, _) = try await node.post("/sync/v1/pull", "{not json", type: "application/json")
        #expect(code == 400 && body.contains("byte"))
        let (conflict, detail, _) = try await node.post("/sync/v1/push", "", type: "application/x-ndjson")
        #expect(conflict == 200 && detail.contains("\"accepted\":0"))
        try await node.stop()
    }

    @Test func aPeerNamedTwiceIsSyncedOnceAndTheNodeKeepsServing() async throws {
        let node = try Running()
        // Port 9 (discard) refuses: each background sync fails fast and is retried later.
        try await node.start(peers: ["http://127.0.0.1:9", "http://127.0.0.1:9"])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await node.get("/health").0 == 200)
        try await node.stop()
    }

    @Test func theWebUIReadsWithoutJavaScriptAndSignsEdits() async throws {
        let node = try Running()
        try await node.start()
        let (code, home, type) = try await node.get("/")
        #expect(code == 200 && type?.hasPrefix("text/html") == true)
        #expect(home.contains("A/RES/71/19") && home.contains("S/RES/2529 (2020)") && !home.contains("<script"))
        let (_, page, _) = try await node.get("/record?symbol=A%2FRES%2F73%2F11")
        // History shows each event's signature as re-checked from its stored bytes.
        #expect(page.contains("Review chain") && page.contains("History") && page.contains("<th>Signature</th>"))
        #expect(page.contains("<td class=\"nw\">valid"))
        let (_, search, _) = try await node.get("/search?q=cybercrime")
        #expect(search.contains("A/RES/75/10"))
        let (status, _, _) = try await node.post(
            "/record/set", "symbol=A%2FRES%2F73%2F11&field=notes&value=Edited+in+the+browser", type: "application/x-www-form-urlencoded")
        #expect(status == 303)
        let s = try ResolutionSymbol(parsing: "A/RES/73/11")
        #expect(try Curation(log: node.log).state(s)?.value(.notes) == "Edited in the browser")
        let after = try await node.get("/record?symbol=A%2FRES%2F73%2F11").1
        #expect(after.contains("Edited in the browser"))
        // A page on another site posting the same form changes nothing.
        let attacks: [[(String, String)]] = [
            [("Origin", "http://evil.example")], [("Sec-Fetch-Site", "cross-site")], [("Origin", "null")],
            [("Referer", "http://evil.example/page")],
            // DNS rebinding: the attacker's name now points at this node, so Origin and Host agree.
            [("Host", "evil.example"), ("Origin", "http://evil.example")],
        ]
        for headers in attacks {
            let (refused, problem, _) = try await node.post(
                "/record/set", "symbol=A%2FRES%2F73%2F11&field=notes&value=Forged", type: "application/x-www-form-urlencoded",
                headers: headers)
            #expect(refused == 403 && problem.contains("Cross-site form post"), "\(headers)")
        }
        #expect(try Curation(log: node.log).state(s)?.value(.notes) == "Edited in the browser")
        let (nul, _, nulType) = try await node.get("/api/v1/search?q=%00")
        #expect(nul == 400 && nulType == "application/problem+json")
        let (escaped, text, _) = try await node.get("/search?q=%3Cscript%3E")
        #expect(escaped == 200 && !text.contains("<script>"))
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
