import AccordCore
import Foundation
import Testing

/// What an operator runs: backups while the node works, the version, newer databases.
@Suite struct OperationsTests {
    @Test func aBackupWhileTheNodeServesAndWritesIsConsistent() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db")]
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("k")] + db)
        let server = ServeProcess(arguments: ["serve", "--port", "0", "--key", cli.path("k")] + db, env: cli.env)
        try server.start()
        defer { _ = server.terminate() }
        // Edits keep coming while the backup runs.
        let writer = Task {
            for k in 0..<15 { _ = try? await cli.run(["set", "A/RES/72/1", "notes", "edit \(k)", "--key", cli.path("k")] + db) }
        }
        let first = try await cli.ok(["backup", "--out", cli.path("during.db")] + db)
        #expect(first.hasPrefix("backed up "))
        #expect(try await cli.ok(["verify", "--db", cli.path("during.db")]).contains("ok"))
        await writer.value
        // Once the edits stop, a backup serves exactly the node's digest.
        _ = try await cli.ok(["backup", "--out", cli.path("after.db")] + db)
        let copy = ServeProcess(arguments: ["serve", "--port", "0", "--key", cli.path("k"), "--db", cli.path("after.db")], env: cli.env)
        try copy.start()
        defer { _ = copy.terminate() }
        #expect(httpGet(copy.url + "/api/v1/digest") == httpGet(server.url + "/api/v1/digest"))
        #expect(httpGet(copy.url + "/api/v1/record?symbol=A/RES/72/1")?.contains("edit 14") == true)
        let again = try await cli.run(["backup", "--out", cli.path("after.db")] + db)
        #expect(again.status == 1 && again.stderr.contains("already exists"))
    }

    @Test func theVersionIsPrintedAndANewerDatabaseIsRefusedUntouched() async throws {
        let cli = CLI()
        defer { cli.remove() }
        #expect(try await cli.ok(["--version"]).contains("database schema v13-witness-keys"))
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        _ = try await cli.ok(["init", "--key", cli.path("k"), "--db", cli.path("a.db")])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [
            cli.path("a.db"), "INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future'); PRAGMA wal_checkpoint(TRUNCATE);",
        ]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let before = FileManager.default.contents(atPath: cli.path("a.db"))
        let r = try await cli.run(["log", "--db", cli.path("a.db")])
        #expect(r.status == 1 && r.stderr.contains("written by a newer version of accord (schema v99-from-the-future)"), "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: cli.path("a.db")) == before)
    }

    @Test func aCommandThatMeetsAFullDiskSaysSoExits1AndChangesNothing() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db")]
        let key = ["--key", cli.path("k")]
        _ = try await cli.ok(["init", "--seed"] + db + key)
        let digest = try await cli.ok(["digest"] + db)
        let long = String(repeating: "A full text that needs pages of its own. ", count: 3_000)
        // The limit is below the database's size: it may not grow at all.
        let full = try await cli.run(["set", "A/RES/72/1", "text", long, "--max-db-size", "64KiB"] + db + key)
        #expect(full.status == 6 && full.stderr.contains("cannot grow") && full.stderr.contains("Free space"), "\(full.stderr)")
        #expect(try await cli.ok(["digest"] + db) == digest)
        #expect(try await cli.ok(["verify"] + db).contains("ok"))
        let bad = try await cli.run(["show", "A/RES/72/1", "--max-db-size", "lots"] + db)
        #expect(bad.status != 0 && bad.stderr.contains("is not a size"), "\(bad.stderr)")
        // Space returns: the same command goes through.
        _ = try await cli.ok(["set", "A/RES/72/1", "text", long, "--max-db-size", "1GB"] + db + key)
        #expect(try await cli.ok(["digest"] + db) != digest)
    }

    static let seedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Events/seed/resolutions.json").path

    @Test func longCommandsShowProgressOnlyWhereSomeoneWatches() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db")]
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("k")] + db)
        _ = try await cli.ok(["export", "--out", cli.path("log.ndjson")] + db)
        let events = try await cli.ok(["log", "--json"] + db).components(separatedBy: "\"id\"").count - 1
        #expect(events > 20)
        // Forced (as a terminal would get it): the lines say what, how many of how many, how fast.
        let clone = try await cli.run(["clone", cli.path("log.ndjson"), "--db", cli.path("b.db"), "--progress"])
        #expect(clone.status == 0 && clone.stderr.contains("\rclone: \(events) / \(events) events (100%)"), "\(clone.stderr)")
        for (command, label) in [(["verify"], "verify"), (["rebuild"], "rebuild")] {
            let r = try await cli.run(command + ["--db", cli.path("b.db"), "--progress"])
            #expect(r.status == 0 && r.stderr.contains("\r\(label): \(events) / \(events) events (100%)"), "\(label): \(r.stderr)")
        }
        let records = try await cli.run(
            ["import-records", Self.seedFile, "--key", cli.path("k"), "--progress", "--replace"] + db)
        #expect(records.stderr.contains("\rimport-records: ") && records.stderr.contains("records (100%)"), "\(records.stderr)")
        let server = ServeProcess(arguments: ["serve", "--port", "0", "--key", cli.path("k")] + db, env: cli.env)
        try server.start()
        defer { _ = server.terminate() }
        let network = try await cli.run(["clone", server.url, "--db", cli.path("c.db"), "--progress"])
        #expect(network.status == 0 && network.stderr.contains("\rclone: \(events) events"), "\(network.stderr)")
        // --json keeps stdout one JSON document; --quiet and a pipe show nothing.
        let json = try await cli.run(["verify", "--json", "--progress", "--db", cli.path("b.db")])
        #expect((try? JSONParser.parse(Array(json.stdout.utf8))) != nil && json.stderr.contains("verify: "), "\(json.stdout)")
        for quiet in [["--quiet", "--progress"], []] {
            let r = try await cli.run(["verify", "--db", cli.path("b.db")] + quiet)
            #expect(r.status == 0 && !r.stderr.contains("verify:"), "\(quiet): \(r.stderr)")
        }
    }
}
