import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The first hour on a new machine: seeding from any folder (the records are in the
/// binary), `--seed-file` alone seeds, a failed init leaves nothing, HTTP manners (HEAD,
/// 405 with Allow), and a seed whose dates agree with their symbols.
@Suite struct FirstHourTests {
    @Test func initSeedsFromAnyFolderAndAFailedInitLeavesNothing() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        // The CLI runs in an empty temporary folder: no Events/ beside it or the binary's path.
        var env = cli
        env.env["ACCORD_SEED"] = nil
        let r = try await env.run(["init", "--seed", "--db", cli.path("a.db"), "--key", cli.path("k")])
        #expect(r.status == 0 && r.stderr.contains("seeded 12 records") && r.stderr.contains("built into accord"), "\(r.stderr)")
        // --seed-file alone seeds (it implies --seed).
        let one = try JSONSerialization.data(withJSONObject: [
            ["symbol": "A/RES/71/19", "title": "Cooperation between the United Nations and INTERPOL", "adopted": "2016-11-21"]
        ])
        try one.write(to: URL(fileURLWithPath: cli.path("one.json")))
        let b = try await cli.run(["init", "--seed-file", cli.path("one.json"), "--db", cli.path("b.db"), "--key", cli.path("k")])
        #expect(b.status == 0 && b.stderr.contains("seeded 1 records"), "\(b.stderr)")
        // A seed that cannot be read, or whose rows are refused, leaves no database behind.
        let missing = try await cli.run(["init", "--seed-file", cli.path("nope.json"), "--db", cli.path("c.db"), "--key", cli.path("k")])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read the seed file"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("c.db")))
        try "symbol,title\nA/RES/71,bad\n".write(toFile: cli.path("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try await cli.run(["init", "--seed-file", cli.path("bad.csv"), "--db", cli.path("d.db"), "--key", cli.path("k")])
        #expect(bad.status == 1 && bad.stderr.contains("row 1") && bad.stderr.contains("nothing was created"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("d.db")) && !FileManager.default.fileExists(atPath: cli.path("d.db-wal")))
    }

    /// (status, Allow header, body bytes) of a request.
    static func request(_ method: String, _ url: String) async -> (Int, String?, Int) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        guard let (data, response) = try? await URLSession.shared.data(for: r), let h = response as? HTTPURLResponse else {
            return (0, nil, 0)
        }
        return (h.statusCode, h.value(forHTTPHeaderField: "Allow"), data.count)
    }

    @Test func headWorksWhereGetDoesAndAWrongMethodIs405WithAllow() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        _ = try await cli.ok(["init", "--seed", "--db", cli.path("n.db"), "--key", cli.path("k")])
        let server = ServeProcess(arguments: ["serve", "--port", "0", "--db", cli.path("n.db"), "--key", cli.path("k")], env: cli.env)
        try server.start()
        defer { _ = server.terminate() }
        for path in ["/", "/health", "/api/v1/records", "/record?symbol=A/RES/71/19", "/static/accord.css", "/sync/v1/info"] {
            let (status, _, bytes) = await Self.request("HEAD", server.url + path)
            #expect(status == 200 && bytes == 0, "HEAD \(path): \(status)")
        }
        let (del, allow, _) = await Self.request("DELETE", server.url + "/api/v1/records")
        #expect(del == 405 && allow == "GET, HEAD")
        let (post, allowPost, _) = await Self.request("POST", server.url + "/health")
        #expect(post == 405 && allowPost == "GET, HEAD")
        let (get, allowGet, _) = await Self.request("GET", server.url + "/api/v1/events")
        #expect(get == 405 && allowGet == "POST")
        #expect(await Self.request("GET", server.url + "/nothing/here").0 == 404)
    }

    /// Every seeded date agrees with its symbol: a General Assembly resolution of session S
    /// is adopted between September of 1945+S and September of 1946+S; a Security Council
    /// resolution in the year its symbol names. The facts the sources settle are filled.
    @Test func everySeededDateAgreesWithItsSymbolAndSession() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Events/seed/resolutions.json")
        let records = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        #expect(records.count == 12)
        for r in records {
            let symbol = r["symbol"] as! String
            // (S/RES/2501 (2019) has none: its sources do not say; its notes say so.)
            guard let adopted = r["adopted"] as? String else {
                #expect(((r["notes"] as? String) ?? "").contains("not found in the sources"), "\(symbol) has no date and no note why")
                continue
            }
            if symbol.hasPrefix("A/RES/") {
                let session = Int(symbol.split(separator: "/")[2])!
                #expect(adopted >= "\(1945 + session)-09-01" && adopted <= "\(1946 + session)-09-30", "\(symbol) \(adopted)")
            } else {
                let year = symbol.split(separator: "(").last!.dropLast()
                #expect(adopted.hasPrefix(String(year)), "\(symbol) \(adopted)")
            }
        }
        func record(_ s: String) -> [String: Any] { records.first { $0["symbol"] as? String == s }! }
        func sources(_ s: String) -> [String] { (record(s)["sources"] as! [[String: Any]]).map { $0["url"] as! String } }
        #expect(record("A/RES/72/1")["adopted"] as? String == "2017-09-27" && record("A/RES/72/1")["meeting"] as? Int == 24)
        #expect(sources("A/RES/72/1").contains("https://press.un.org/en/2017/ga11955.doc.htm"))
        #expect(record("A/RES/75/10")["adopted"] as? String == "2020-11-23" && record("A/RES/75/10")["meeting"] as? Int == 31)
        #expect(sources("A/RES/75/10").contains("https://press.un.org/en/2020/ga12290.doc.htm"))
        #expect(record("A/RES/71/19")["meeting"] as? Int == 48)
        #expect(record("A/RES/73/11")["meeting"] as? Int == 39)
        for s in ["A/RES/72/1", "A/RES/75/10", "A/RES/71/19", "A/RES/73/11"] {
            #expect((record(s)["vote"] as? [String: Any])?["kind"] as? String == "adopted-without-vote", "\(s)")
            #expect(!((record(s)["notes"] as? String) ?? "").contains("not confirmed"), "\(s)")
        }
    }
}
