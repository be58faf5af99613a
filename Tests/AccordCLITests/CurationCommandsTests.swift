import AccordCore
import AccordTestSupport
import Foundation
import Testing

/// The curation acceptance scenarios, through the binary as a curator would run them.
@Suite struct CurationCommandsTests {
    @Test func seededDatasetAnswersChainSearchAndList() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("k"), "--db", cli.path("a.db")])
        #expect(try await cli.ok(["chain", "A/RES/75/10", "--db", cli.path("a.db")]) == "A/RES/71/19\nA/RES/73/11\nA/RES/75/10\n")
        #expect(try await cli.ok(["search", "cybercrime", "--db", cli.path("a.db")]).contains("A/RES/75/10"))
        let sc = try await cli.ok(["list", "--body", "SC", "--db", cli.path("a.db")]).split(separator: "\n")
        #expect(sc.count == 8 && sc.allSatisfy { $0.hasPrefix("S/RES/") })
        let show = try await cli.ok(["show", "S/RES/2482", "--db", cli.path("a.db")])
        #expect(show.contains("S/RES/2482 (2019)") && show.contains("recalls"))
        let bad = try await cli.run(["show", "S/RES/24x", "--db", cli.path("a.db")])
        #expect(bad.status == 1 && bad.stderr.contains("A/RES/<session>/<number>"))
        // A record the dataset does not hold is "not found" (exit 3), for show, history and edits.
        for args in [["show", "A/RES/99/99"], ["history", "A/RES/99/99"], ["tag", "A/RES/99/99", "x", "--key", cli.path("k")]] {
            let missing = try await cli.run(args + ["--db", cli.path("a.db")])
            #expect(missing.status == 3 && missing.stderr.contains("A/RES/99/99 is not in the dataset"), "\(args): \(missing.stderr)")
        }
        #expect(try await cli.ok(["verify", "--db", cli.path("a.db")]).contains("ok"))
    }

    @Test func twoCuratorsConflictAndResolveThroughNDJSONExchange() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("ka")])
        _ = try await cli.ok(["keygen", "--out", cli.path("kb")])
        let a = ["--db", cli.path("a.db")]
        let b = ["--db", cli.path("b.db")]
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("ka")] + a)
        let bob = try await cli.ok(["whoami", "--key", cli.path("kb")]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await cli.ok(["grant", bob, "--role", "editor", "--name", "Bob", "--key", cli.path("ka")] + a)
        func exchange() async throws {
            _ = try await cli.ok(["export", "--out", cli.path("a.ndjson")] + a)
            _ = try await cli.ok(["export", "--out", cli.path("b.ndjson")] + b)
            _ = try await cli.ok(["import", cli.path("a.ndjson")] + b)
            _ = try await cli.ok(["import", cli.path("b.ndjson")] + a)
        }
        _ = try await cli.ok(["export", "--out", cli.path("a.ndjson")] + a)
        _ = try await cli.ok(["clone", cli.path("a.ndjson"), "--key", cli.path("kb")] + b)
        _ = try await cli.ok(["set", "A/RES/73/11", "title", "Alice's title", "--key", cli.path("ka")] + a)
        _ = try await cli.ok(["set", "A/RES/73/11", "title", "Bob's title", "--key", cli.path("kb")] + b)
        try await exchange()
        let digestA = try await cli.ok(["digest"] + a)
        #expect(digestA == (try await cli.ok(["digest"] + b)))
        let pubA = try await cli.ok(["whoami", "--key", cli.path("ka")]).trimmingCharacters(in: .whitespacesAndNewlines)
        let pubB = try await cli.ok(["whoami", "--key", cli.path("kb")]).trimmingCharacters(in: .whitespacesAndNewlines)
        var provisional: Set<String> = []
        for side in [a, b] {
            let out = try await cli.ok(["conflicts", "--json"] + side)
            let list = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [[String: Any]]
            #expect(list.count == 1)
            let heads = list[0]["heads"] as! [[String: Any]]
            // Values in their one JSON form: a title is a JSON string, not a string of JSON.
            #expect(Set(heads.compactMap { $0["value"] as? String }) == ["Alice's title", "Bob's title"])
            #expect(Set(heads.compactMap { $0["author"] as? String }) == [pubA, pubB])
            let shown = try await cli.ok(["show", "A/RES/73/11", "--json"] + side)
            let json = try JSONSerialization.jsonObject(with: Data(shown.utf8)) as! [String: Any]
            provisional.insert(json["title"] as! String)
        }
        #expect(provisional.count == 1)
        let refused = try await cli.run(["set", "A/RES/73/11", "title", "x", "--key", cli.path("ka")] + a)
        #expect(refused.status == 4 && refused.stderr.contains("accord resolve"), "\(refused.status) \(refused.stderr)")
        _ = try await cli.ok(["resolve", "A/RES/73/11", "title", "Agreed title", "--key", cli.path("ka")] + a)
        try await exchange()
        for side in [a, b] {
            #expect(try await cli.ok(["conflicts"] + side).contains("no conflicts"))
            #expect(try await cli.ok(["show", "A/RES/73/11"] + side).contains("Agreed title"))
        }
        #expect(try await cli.ok(["digest"] + a) == (try await cli.ok(["digest"] + b)))
        let history = try await cli.ok(["history", "A/RES/73/11", "--field", "title"] + b)
        #expect(history.contains("Agreed title") && history.contains("signature valid") && !history.contains("BAD"))
        // The resolution reads as what it did, naming whose values it replaced.
        #expect(history.contains("resolved the conflict on title: ") && history.contains("(Bob)"), "\(history)")
    }

    /// A record cannot review itself or close a loop; a loop made of two concurrent halves
    /// (one per node) arrives by exchange, and `chain` marks it instead of looping.
    /// Event ids are taken by any unique prefix of 8 or more hex digits.
    @Test func reviewLoopsAreRefusedOrFlaggedAndShortIdsWork() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("ka")])
        _ = try await cli.ok(["keygen", "--out", cli.path("kb")])
        let a = ["--db", cli.path("a.db"), "--key", cli.path("ka")]
        let b = ["--db", cli.path("b.db"), "--key", cli.path("kb")]
        _ = try await cli.ok(["init", "--seed", "--creator", "Alice"] + a)
        let bob = try await cli.ok(["whoami", "--key", cli.path("kb")]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await cli.ok(["grant", bob, "--name", "Bob"] + a)
        for (link, says) in [
            (["A/RES/73/11", "--reviews", "A/RES/73/11"], "cannot review itself"),
            (["A/RES/71/19", "--reviews", "A/RES/75/10"], "would close a loop"),
        ] {
            let r = try await cli.run(["link"] + link + a)
            #expect(r.status == 1 && r.stderr.contains(says), "\(link): \(r.stderr)")
        }
        _ = try await cli.ok(["add", "A/RES/80/1", "--adopted", "2025-10-01"] + a)
        _ = try await cli.ok(["add", "A/RES/80/2", "--adopted", "2025-10-02"] + a)
        _ = try await cli.ok(["export", "--out", cli.path("a.ndjson"), "--db", cli.path("a.db")])
        _ = try await cli.ok(["clone", cli.path("a.ndjson"), "--quiet"] + b)
        _ = try await cli.ok(["link", "A/RES/80/1", "--reviews", "A/RES/80/2"] + a)
        _ = try await cli.ok(["link", "A/RES/80/2", "--reviews", "A/RES/80/1"] + b)
        _ = try await cli.ok(["export", "--out", cli.path("b.ndjson"), "--db", cli.path("b.db")])
        _ = try await cli.ok(["import", cli.path("b.ndjson"), "--db", cli.path("a.db")])
        let chain = try await cli.run(["chain", "A/RES/80/1", "--db", cli.path("a.db")])
        #expect(chain.status == 0 && chain.stdout.contains("A/RES/80/1") && chain.stdout.contains("A/RES/80/2"))
        #expect(chain.stderr.contains("loop"))
        _ = try await cli.ok(["withdraw", "A/RES/73/11", "--reason", "test"] + a)
        #expect(try await cli.ok(["chain", "A/RES/75/10", "--db", cli.path("a.db")]).contains("A/RES/73/11  [withdrawn]"))
        // Short ids: the history's 12 digits are enough for redact and --at.
        let history = try await cli.ok(["history", "A/RES/80/1", "--json", "--db", cli.path("a.db")])
        let id = try #require((try JSONParser.parse(Array(history.utf8))).arrayValue?.first?["id"]?.stringValue)
        #expect(try await cli.ok(["show", "A/RES/80/1", "--at", String(id.prefix(12)), "--db", cli.path("a.db")]).contains("A/RES/80/1"))
        // Bad input exits 1, an id no event has exits 3 (not found).
        for (prefix, status, says) in [(String(id.prefix(5)), Int32(1), "at least its first 8"), ("00000000", 3, "no event 00000000")] {
            let r = try await cli.run(["redact", prefix, "--reason", "x"] + a)
            #expect(r.status == status && r.stderr.contains(says), "\(prefix): \(r.status) \(r.stderr)")
        }
        _ = try await cli.ok(["redact", String(id.prefix(8)), "--reason", "test of short ids"] + a)
        #expect(try await cli.ok(["verify", "--db", cli.path("a.db")]).contains("ok"))
    }

    @Test func asOfBeforeAChangeShowsTheOldTitle() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db"), "--key", cli.path("k")]
        _ = try await cli.ok(["init", "--seed"] + db)
        // A time strictly after the seed's events and strictly before the edit's (the clock
        // reads milliseconds: it is let past each).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let seeded = Date()
        _ = await eventually { Date().timeIntervalSince(seeded) > 0.002 }
        let now = Date()
        let before = formatter.string(from: now)
        _ = await eventually { Date().timeIntervalSince(now) > 0.002 }
        _ = try await cli.ok(["set", "A/RES/73/11", "title", "A later title"] + db)
        #expect(try await cli.ok(["show", "A/RES/73/11", "--db", cli.path("a.db")]).contains("A later title"))
        let old = try await cli.ok(["show", "A/RES/73/11", "--as-of", before, "--db", cli.path("a.db")])
        #expect(old.contains("Cooperation between the United Nations") && !old.contains("A later title"))
    }

    @Test func recordsExportImportRoundTripThroughTheCLI() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("k"), "--db", cli.path("a.db")])
        for format in ["json", "csv"] {
            _ = try await cli.ok(["export-records", "--format", format, "--out", cli.path("r.\(format)"), "--db", cli.path("a.db")])
            _ = try await cli.ok(["init", "--key", cli.path("k"), "--db", cli.path("\(format).db")])
            let imported = try await cli.ok([
                "import-records", cli.path("r.\(format)"), "--key", cli.path("k"), "--db", cli.path("\(format).db"),
            ])
            #expect(imported.contains("12 created"))
            let again = try await cli.ok([
                "import-records", cli.path("r.\(format)"), "--key", cli.path("k"), "--db", cli.path("\(format).db"),
            ])
            #expect(again.contains("12 unchanged") && again.contains("0 events signed"))
            _ = try await cli.ok([
                "export-records", "--format", format, "--out", cli.path("r2.\(format)"), "--db", cli.path("\(format).db"),
            ])
            #expect(
                FileManager.default.contents(atPath: cli.path("r.\(format)"))
                    == FileManager.default.contents(atPath: cli.path("r2.\(format)")))
        }
    }

    @Test func eachRecordCommandChangesWhatItSaysAndHistoryShowsIt() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db")]
        let signed = db + ["--key", cli.path("k")]
        _ = try await cli.ok(["init", "--seed"] + signed)
        func record() async throws -> JSONValue {
            try JSONParser.parse(Array(try await cli.ok(["show", "A/RES/70/1", "--json"] + db).utf8))
        }
        _ = try await cli.ok(["add", "A/RES/70/1", "--adopted", "2015-09-25", "--title", "Transforming our world"] + signed)
        _ = try await cli.ok(["tag", "A/RES/70/1", "sustainable development", "policing"] + signed)
        _ = try await cli.ok(["link", "A/RES/70/1", "--cites", "A/RES/72/1"] + signed)
        _ = try await cli.ok(["source", "A/RES/70/1", "https://undocs.org/A/RES/70/1", "--label", "UN"] + signed)
        var r = try await record()
        #expect(r["title"] == "Transforming our world" && r["adopted"] == "2015-09-25")
        #expect(r["topics"] == ["policing", "sustainable development"])
        #expect(r["links"] == [["rel": "cites", "target": "A/RES/72/1"]])
        #expect(r["sources"] == [["label": "UN", "url": "https://undocs.org/A/RES/70/1"]])
        _ = try await cli.ok(["untag", "A/RES/70/1", "policing"] + signed)
        _ = try await cli.ok(["unlink", "A/RES/70/1", "--cites", "A/RES/72/1"] + signed)
        _ = try await cli.ok(["source", "A/RES/70/1", "https://undocs.org/A/RES/70/1", "--remove"] + signed)
        _ = try await cli.ok(["withdraw", "A/RES/70/1", "--reason", "entered twice"] + signed)
        r = try await record()
        #expect(r["topics"] == ["sustainable development"] && r["links"] == [] && r["sources"] == [])
        #expect(r["withdrawn"] == true)
        _ = try await cli.ok(["restore", "A/RES/70/1"] + signed)
        #expect(try await record()["withdrawn"] == false)
        let history = try await cli.ok(["history", "A/RES/70/1"] + db)
        for change in [
            "created", "topic added policing", "link added cites A/RES/72/1", "source added UN", "topic removed policing",
            "link removed cites A/RES/72/1", "withdrawn entered twice", "restored",
        ] {
            #expect(history.contains(change), "history lacks \(change): \(history)")
        }
        #expect(!history.contains("BAD"))
        // What cannot be done is refused with why, and changes nothing.
        let digest = try await cli.ok(["digest"] + db)
        for (args, why) in [
            (["add", "A/RES/70/1", "--adopted", "2015-09-25"], "already in the dataset"),
            (["restore", "A/RES/99/99"], "not in the dataset"),
            (["source", "A/RES/70/1", "not a url"], "url"),
        ] {
            let out = try await cli.run(args + signed)
            #expect(out.status != 0 && out.stderr.lowercased().contains(why.lowercased()), "\(args): \(out.stderr)")
        }
        #expect(try await cli.ok(["digest"] + db) == digest)
    }
}
