import Foundation
import Testing

/// A curator's ordinary mistakes, run as the curator would: each ends with a clear
/// message and a non-zero exit, and loses or silently forks nothing.
@Suite struct UserMistakesTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func eventCount(_ cli: CLI, _ db: String) async throws -> Int {
        let log = try await cli.ok(["log", "--json", "--db", db])
        return try #require(JSONSerialization.jsonObject(with: Data(log.utf8)) as? [Any]).count
    }

    @Test func cloneMakesADeviceKeyAndOneKeyOnTwoNodesIsAFailedSync() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let admin = try await cli.ok(["whoami", "--key", cli.path("k")]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("k"), "--db", cli.path("hub.db")])
        // The curator's mistake: the hub's database copied to a laptop, so one key signs on two nodes.
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: cli.path("hub.db" + suffix)) {
            try FileManager.default.copyItem(atPath: cli.path("hub.db" + suffix), toPath: cli.path("copy.db" + suffix))
        }
        let hub = ServeProcess(
            arguments: ["serve", "--db", cli.path("hub.db"), "--key", cli.path("k"), "--port", "0"], env: cli.env)
        defer { _ = hub.terminate() }
        try hub.start()

        // clone: the new node gets a key of its own and says how to grant it.
        let clone = try await cli.run(["clone", hub.url, "--db", cli.path("laptop.db")])
        #expect(clone.status == 0, "\(clone.stderr)")
        let device = try await cli.ok(["whoami", "--key", cli.path("laptop.db.key")]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(device != admin)
        #expect(clone.stderr.contains("accord grant \(device) --role editor"))
        let ungranted = try await cli.run(["set", "A/RES/72/1", "notes", "from the laptop", "--db", cli.path("laptop.db")])
        #expect(ungranted.status == 5 && ungranted.stderr.contains("\(device) is not a member"))
        // clone with a key that already signs in the dataset is refused.
        let reused = try await cli.run(["clone", hub.url, "--key", cli.path("k"), "--db", cli.path("second.db")])
        #expect(reused.status != 0 && reused.stderr.contains("already signs events in this dataset"))

        // One key, two nodes, one seq each: the sync finds the fork and says so.
        _ = try await cli.ok(["set", "A/RES/72/1", "notes", "copy's note", "--key", cli.path("k"), "--db", cli.path("copy.db")])
        _ = try await cli.ok(["set", "A/RES/72/1", "notes", "hub's note", "--key", cli.path("k"), "--db", cli.path("hub.db")])
        let sync = try await cli.run(["sync", hub.url, "--db", cli.path("copy.db")])
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("fork") && sync.stderr.contains("accord keygen"), "\(sync.stderr)")
        #expect(sync.stdout.contains("received events refused (1 equivocation)"), "\(sync.stdout)")
        for db in ["copy.db", "hub.db"] {
            let forks = try await cli.ok(["forks", "--db", cli.path(db)])
            #expect(forks.contains(admin), "\(db): \(forks)")
            // Neither node signs with the forked key again.
            let refused = try await cli.run(["set", "A/RES/72/1", "notes", "again", "--key", cli.path("k"), "--db", cli.path(db)])
            #expect(refused.status == 5 && refused.stderr.contains("no longer signs with it"), "\(db): \(refused.stderr)")
            // It was the only admin: the message says the dataset can take no membership change.
            #expect(refused.stderr.contains("only admin"), "\(db): \(refused.stderr)")
        }
        #expect(try await cli.ok(["peers", "--db", cli.path("copy.db")]).contains("FAILING"))
        // Both nodes now apply the same cut to the forked key (`ForkRule`): from the fork on,
        // neither branch counts on either node. The next sync finds them in agreement, and
        // the fork stays on record (`accord forks`).
        let again = try await cli.run(["sync", hub.url, "--json", "--db", cli.path("copy.db")])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        let report = try json(again.stdout)
        #expect(report["inSync"] as? Bool == true && report["digest"] as? String == report["peerDigest"] as? String)
        #expect(try await cli.ok(["digest", "--db", cli.path("copy.db")]) == cli.ok(["digest", "--db", cli.path("hub.db")]))
    }

    @Test func aPartialImportChangesOnlyWhatItNames() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--key", cli.path("k"), "--db", cli.path("a.db")]
        let read = ["--db", cli.path("a.db")]
        _ = try await cli.ok(["init", "--seed"] + db)
        let before = try json(try await cli.ok(["show", "A/RES/73/11", "--json"] + read))
        try "symbol,body,notes\nA/RES/73/11,GA,Checked twice\n".write(toFile: cli.path("sub.csv"), atomically: true, encoding: .utf8)

        let events = try await eventCount(cli, cli.path("a.db"))
        let dry = try await cli.ok(["import-records", cli.path("sub.csv"), "--dry-run"] + db)
        #expect(dry.contains("~ A/RES/73/11") && dry.contains("notes: — -> Checked twice") && dry.contains("nothing signed"))
        #expect(!dry.contains("CLEAR") && !dry.contains("REMOVE"))
        #expect(try await eventCount(cli, cli.path("a.db")) == events)

        let out = try await cli.ok(["import-records", cli.path("sub.csv")] + db)
        #expect(out.contains("1 updated") && out.contains("1 events signed"))
        let after = try json(try await cli.ok(["show", "A/RES/73/11", "--json"] + read))
        #expect(after["notes"] as? String == "Checked twice")
        for key in ["title", "summary", "adopted", "topics", "links", "sources"] {
            #expect((after[key] as? NSObject)?.isEqual(before[key]) == true, "\(key) changed")
        }
        #expect(try await cli.ok(["chain", "A/RES/75/10"] + read) == "A/RES/71/19\nA/RES/73/11\nA/RES/75/10\n")

        // A named empty cell clears that field, and the output says so.
        try "symbol,summary\nA/RES/73/11,\n".write(toFile: cli.path("clear.csv"), atomically: true, encoding: .utf8)
        let cleared = try await cli.ok(["import-records", cli.path("clear.csv")] + db)
        #expect(cleared.contains("CLEAR   summary"))
        let noSummary = try json(try await cli.ok(["show", "A/RES/73/11", "--json"] + read))
        #expect(
            (noSummary["summary"] == nil || noSummary["summary"] is NSNull) && noSummary["title"] as? String == before["title"] as? String)

        // JSON: a named list is replaced, unnamed fields stay.
        try #"[{"symbol": "A/RES/73/11", "topics": ["audit"]}]"#.write(toFile: cli.path("t.json"), atomically: true, encoding: .utf8)
        _ = try await cli.ok(["import-records", cli.path("t.json")] + db)
        let tagged = try json(try await cli.ok(["show", "A/RES/73/11", "--json"] + read))
        #expect(tagged["topics"] as? [String] == ["audit"] && tagged["notes"] as? String == "Checked twice")

        // --replace: the file is the whole record.
        let replaced = try await cli.ok(["import-records", cli.path("sub.csv"), "--replace", "--dry-run"] + db)
        #expect(replaced.contains("CLEAR   title") && replaced.contains("REMOVE  link reviews A/RES/71/19"))
    }

    @Test func onlyCommandsThatCreateCreate() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        for args in [
            ["list"], ["verify"], ["conflicts"], ["show", "A/RES/72/1"], ["log"], ["export"], ["peers"], ["forks"], ["members"],
            ["set", "A/RES/72/1", "notes", "x", "--key", cli.path("k")], ["sync", "http://127.0.0.1:9"],
        ] {
            let r = try await cli.run(args + ["--db", cli.path("nope.db")])
            #expect(r.status == 1, "\(args)")
            #expect(
                r.stderr.contains("no Accord database at \(cli.path("nope.db"))") && r.stderr.contains("accord init"),
                "\(args): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: cli.path("nope.db")), "\(args) created the file")
        }
        // A file that is not an Accord database is not turned into one.
        #expect(FileManager.default.createFile(atPath: cli.path("empty.db"), contents: Data()))
        try "{}".write(toFile: cli.path("r.json"), atomically: true, encoding: .utf8)
        for path in ["empty.db", "r.json"] {
            let r = try await cli.run(["list", "--db", cli.path(path)])
            #expect(r.status == 1 && r.stderr.contains("is not an Accord database") && !r.stderr.contains("SQLite error"), "\(r.stderr)")
            #expect(try FileManager.default.attributesOfItem(atPath: cli.path(path))[.size] as? Int ?? -1 <= 2)
        }
        let dir = try await cli.run(["list", "--db", cli.dir])
        #expect(dir.status == 1 && dir.stderr.contains("is a directory"))
        // Cloning a file that holds no event (here a SQLite file, not an export) creates nothing.
        _ = try await cli.ok(["init", "--key", cli.path("k"), "--db", cli.path("real.db")])
        let notExport = try await cli.run(["clone", cli.path("real.db"), "--db", cli.path("copy.db")])
        #expect(notExport.status == 1 && notExport.stderr.contains("holds no event this node can take"), "\(notExport.stderr)")
        #expect(notExport.stderr.contains("accord export") && notExport.stderr.contains("line 1: malformed-json"), "\(notExport.stderr)")
        for leftover in ["copy.db", "copy.db-wal", "copy.db.key"] {
            #expect(!FileManager.default.fileExists(atPath: cli.path(leftover)), "\(leftover) left behind")
        }
        let rotate = try await cli.run(["rotate", "--new-key", cli.path("nk"), "--key", cli.path("k"), "--db", cli.path("nope.db")])
        #expect(rotate.status == 1 && !FileManager.default.fileExists(atPath: cli.path("nk")))
        // Under --json the failure is JSON too.
        let listed = try await cli.run(["list", "--json", "--db", cli.path("nope.db")])
        #expect(listed.status == 1)
        #expect((try json(listed.stdout)["error"] as? String)?.contains("no Accord database") == true, "\(listed.stdout)")
    }

    @Test func errorsNameTheMistakeAndTheNextStep() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db")]
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("k")] + db)

        // `accord list` reads its filters as typed options: a wrong value, an empty one, a
        // control character or a shell-injection attempt names the allowed values and lists
        // nothing; the database is not touched.
        let events = try await cli.ok(["log", "--json"] + db)
        for (option, value) in [
            ("--status", "bogus"), ("--sort", "WITHDRAWN"), ("--body", "ICJ"), ("--body", ""), ("--status", "all\u{1B}[2J"),
            ("--sort", "$(rm -rf /)"), ("--limit", "0"), ("--limit", "-1"), ("--year", "19 OR 1=1"),
        ] {
            let r = try await cli.run(["list", option, value] + db)
            #expect(r.status != 0 && r.stdout.isEmpty, "\(option) \(value): \(r.status) \(r.stdout.prefix(200))")
            #expect(!r.stderr.contains("\u{1B}"), "\(option): the escape reached the terminal raw")
            #expect(r.stderr.contains(option) || r.stderr.contains("limit"), "\(option) \(value): \(r.stderr.prefix(300))")
        }
        #expect(try await cli.run(["list", "--status", "withdrawn"] + db).status == 0)
        #expect(try await cli.ok(["log", "--json"] + db) == events)

        let year = try await cli.run(["show", "S/RES/2482 (2018)"] + db)
        #expect(year.status == 1 && year.stdout.isEmpty)
        #expect(year.stderr.contains("resolution of 2019, not of 2018"), "\(year.stderr)")
        // An adoption date that contradicts a Security Council symbol's year is refused too.
        let adopted = try await cli.run(["set", "S/RES/2482 (2019)", "adopted", "2018-05-05", "--key", cli.path("k")] + db)
        #expect(
            adopted.status == 1 && adopted.stderr.contains("adopted 2018-05-05 is in 2018, but S/RES/2482 (2019) is a resolution of 2019"))

        let url = try await cli.run(["sync", "not-a-url"] + db)
        #expect(url.status == 1 && url.stderr.contains("not a peer URL") && !url.stderr.contains("HTTPClientError"))
        #expect(try await cli.ok(["peers"] + db).contains("no peers synced yet"))
        let jsonURL = try await cli.run(["sync", "not-a-url", "--json"] + db)
        #expect(jsonURL.status == 1)
        let urlError = try json(jsonURL.stdout)
        #expect(urlError["error"] is String)
        let down = try await cli.run(["sync", "http://127.0.0.1:9", "--json"] + db)
        #expect(down.status == 1)
        let downError = try json(down.stdout)
        #expect((downError["error"] as? String)?.contains("cannot reach http://127.0.0.1:9") == true, "\(down.stdout)")
        #expect(try await cli.ok(["peers"] + db).contains("FAILING"))
        let badPort = try await cli.run(["serve", "--port", "70000"] + db)
        #expect(badPort.status == 1 && badPort.stderr.contains("--port 70000 is out of range"))
        let badPeer = try await cli.run(["serve", "--peer", "hub:8080", "--port", "0"] + db)
        #expect(badPeer.status == 1 && badPeer.stderr.contains("--peer \"hub:8080\" is not a peer URL"), "\(badPeer.stderr)")

        // A port in use names the port, not errno.
        let first = ServeProcess(arguments: ["serve", "--port", "0", "--key", cli.path("k")] + db, env: cli.env)
        defer { _ = first.terminate() }
        try first.start()
        let port = try #require(first.url.split(separator: ":").last.map(String.init))
        let second = try await cli.run(["serve", "--port", port, "--key", cli.path("k")] + db)
        #expect(second.status == 1)
        #expect(
            second.stderr.contains("port \(port) on 127.0.0.1 is already in use") && !second.stderr.contains("errno"), "\(second.stderr)")

        // A truncated line is named once; the events chained after it are summarised, not listed.
        _ = try await cli.ok(["export", "--out", cli.path("a.ndjson")] + db)
        let lines = try String(contentsOfFile: cli.path("a.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
        try (lines[0] + "\n").write(toFile: cli.path("genesis.ndjson"), atomically: true, encoding: .utf8)
        var cut = lines
        cut[4] = String(cut[4].prefix(cut[4].count / 2))
        try cut.joined(separator: "\n").write(toFile: cli.path("cut.ndjson"), atomically: true, encoding: .utf8)
        _ = try await cli.ok(["clone", cli.path("genesis.ndjson"), "--db", cli.path("b.db")])
        let imported = try await cli.run(["import", cli.path("cut.ndjson"), "--db", cli.path("b.db")])
        #expect(imported.status == 1)
        let out = imported.stdout.split(separator: "\n")
        #expect(out.count == 3, "\(imported.stdout)")
        #expect(imported.stdout.contains("line 5: malformed-json"))
        #expect(imported.stdout.contains("\(lines.count - 5) later events could not be chained"), "\(imported.stdout)")
    }
}
