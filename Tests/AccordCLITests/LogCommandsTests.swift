import Foundation
import Testing

@Suite struct LogCommandsTests {
    @Test func keygenWritesAnOwnerOnlyKeyAndRefusesToOverwrite() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let pub = try await cli.ok(["keygen", "--out", cli.path("k")]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pub.hasPrefix("ed25519:") && pub.count == 51)
        let attrs = try FileManager.default.attributesOfItem(atPath: cli.path("k"))
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = try await cli.run(["keygen", "--out", cli.path("k")])
        #expect(again.status != 0 && again.stderr.contains("refusing to overwrite"))
        #expect(try await cli.ok(["whoami", "--key", cli.path("k")]).trimmingCharacters(in: .whitespacesAndNewlines) == pub)
        // Default location: $XDG_CONFIG_HOME/accord/key.
        let dflt = try await cli.ok(["keygen"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: cli.path("config/accord/key")))
        #expect(try await cli.ok(["whoami"]).trimmingCharacters(in: .whitespacesAndNewlines) == dflt)
        var env = cli
        env.env["ACCORD_KEY"] = cli.path("k")
        #expect(try await env.ok(["whoami"]).trimmingCharacters(in: .whitespacesAndNewlines) == pub)
    }

    @Test func thePrivateKeyNeverLeavesItsFile() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let secret = String(decoding: FileManager.default.contents(atPath: cli.path("k"))!, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").last!
        var outputs = ""
        for args in [["init", "--name", "x"], ["log", "--json"], ["export"], ["verify"], ["whoami"]] {
            let r = try await cli.run(
                args
                    + ["--key", cli.path("k"), "--db", cli.path("n.db")].filter { _ in
                        args[0] != "log" && args[0] != "export" && args[0] != "verify"
                    } + (["log", "export", "verify"].contains(args[0]) ? ["--db", cli.path("n.db")] : []))
            outputs += r.stdout + r.stderr
        }
        #expect(!outputs.contains(secret))
        for f in ["n.db", "n.db-wal"] {
            if let d = FileManager.default.contents(atPath: cli.path(f)) {
                #expect(!String(decoding: d, as: UTF8.self).contains(secret))
                #expect(d.range(of: Data(Base64URLTest.decode(String(secret)))) == nil)
            }
        }
    }

    @Test func canonicalReportsWhereAndWhy() async throws {
        let cli = CLI()
        defer { cli.remove() }
        #expect(try await cli.ok(["canonical"], stdin: Array(#"{"b":[1e21, 0.5],"a":"\u00e9"}"#.utf8)) == #"{"a":"é","b":[1e+21,0.5]}"#)
        for (input, needle) in [
            (#"{"a":1,"a":2}"#, "byte 7: duplicate member name"), (#"["\udead"]"#, "byte 2: lone low surrogate"),
            ("[NaN]", "byte 1: NaN"), ("[1,", "byte 3"),
        ] {
            let r = try await cli.run(["canonical"], stdin: Array(input.utf8))
            #expect(r.status != 0)
            #expect(r.stderr.contains(needle), "\(input): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func initExportImportVerify() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let dataset = try await cli.ok(["init", "--name", "demo", "--key", cli.path("k"), "--db", cli.path("a.db")])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(dataset.count == 64)
        let twice = try await cli.run(["init", "--name", "demo", "--key", cli.path("k"), "--db", cli.path("a.db")])
        #expect(twice.status != 0 && twice.stderr.contains("already holds dataset"))
        _ = try await cli.ok(["export", "--format", "ndjson", "--out", cli.path("a.ndjson"), "--db", cli.path("a.db")])
        // Only init, clone and serve make a database: import into a missing one is refused.
        let missing = try await cli.run(["import", cli.path("a.ndjson"), "--db", cli.path("b.db")])
        #expect(missing.status == 1 && missing.stderr.contains("no Accord database at") && missing.stderr.contains("accord clone"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("b.db")))
        let cloned = try await cli.ok(["clone", cli.path("a.ndjson"), "--db", cli.path("b.db")])
        #expect(cloned.contains("received 1 events") && cloned.contains("verified 1 events: ok"))
        #expect(try await cli.ok(["verify", "--db", cli.path("b.db")]).contains("ok"))
        #expect(
            try await cli.ok(["import", cli.path("a.ndjson"), "--db", cli.path("b.db")]).contains("accepted 0, duplicate 1, rejected 0"))
        let log = try await cli.ok(["log", "--json", "--db", cli.path("b.db")])
        let entries = try JSONSerialization.jsonObject(with: Data(log.utf8)) as! [[String: Any]]
        #expect(entries.count == 1 && entries[0]["id"] as? String == dataset && entries[0]["type"] as? String == "dataset.created")
        // ACCORD_DB is honoured.
        var env = cli
        env.env["ACCORD_DB"] = cli.path("b.db")
        #expect(try await env.ok(["log"]).contains("dataset.created"))
    }

    @Test func importReportsLineNumbersAndExitsNonZero() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        _ = try await cli.ok(["init", "--key", cli.path("k"), "--db", cli.path("a.db")])
        _ = try await cli.ok(["export", "--out", cli.path("a.ndjson"), "--db", cli.path("a.db")])
        var file = FileManager.default.contents(atPath: cli.path("a.ndjson"))!
        file.append(Data("\nnot json\n".utf8))
        _ = FileManager.default.createFile(atPath: cli.path("bad.ndjson"), contents: file)
        _ = try await cli.ok(["clone", cli.path("a.ndjson"), "--db", cli.path("b.db")])
        let r = try await cli.run(["import", cli.path("bad.ndjson"), "--db", cli.path("b.db")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("accepted 0, duplicate 1, rejected 1"))
        #expect(r.stdout.contains("line 3: malformed-json"))
    }

    @Test func verifyNamesATamperedEventAndExitsOne() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let id = try await cli.ok(["init", "--key", cli.path("k"), "--db", cli.path("a.db")]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [
            cli.path("a.db"),
            "PRAGMA wal_checkpoint(TRUNCATE); DROP TRIGGER events_no_update; UPDATE events SET envelope = CAST(replace(CAST(envelope AS TEXT), 'dataset.created', 'dataset.createe') AS BLOB);",
        ]
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        let r = try await cli.run(["verify", "--db", cli.path("a.db")])
        #expect(r.status == 1)
        #expect(r.stdout.contains(id))
        #expect(r.stdout.contains("1 problems"))
    }

    /// `accord log checkpoint | prove | verify`: a signed checkpoint, a proof, and a check of the
    /// stored tree against the events; `accord log` alone still lists the events.
    @Test func theTransparencyLogFromTheCommandLine() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("k")])
        let db = ["--db", cli.path("a.db")]
        let key = ["--key", cli.path("k")]
        _ = try await cli.ok(["init", "--seed"] + key + db)
        let listed = try await cli.ok(["log"] + db).split(separator: "\n")
        #expect(listed.count > 10)
        let note = try await cli.ok(["log", "checkpoint"] + key + db)
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].hasPrefix("accord/") && Int(lines[1]) == listed.count && lines[4].hasPrefix("— accord/"), "\(note)")
        let vkey = try await cli.ok(["log", "checkpoint", "--vkey"] + key + db)
        #expect(vkey.hasPrefix(String(lines[0]) + "+"))
        let id = String(listed[3].split(separator: "\t").last!)
        let full = try await cli.ok(["log", "--json"] + db)
        let ids = full.components(separatedBy: "\"id\":\"").dropFirst().map { String($0.prefix(64)) }
        let proof = try await cli.ok(["log", "prove", ids.first { $0.hasPrefix(id) }!] + db)
        #expect(proof.contains("index 3\nsize \(listed.count)\nroot \(lines[2])"), "\(proof)")
        let verified = try await cli.ok(["log", "verify"] + db)
        #expect(verified.contains("tree: \(listed.count) leaves") && verified.contains("checkpoints: 1 signed, 1 hold"), "\(verified)")
        let bad = try await cli.run(["log", "prove", "xyz"] + db)
        #expect(bad.status != 0 && bad.stderr.contains("64 lowercase hex"))
    }
}

enum Base64URLTest {
    static func decode(_ s: String) -> [UInt8] {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return [UInt8](Data(base64Encoded: t) ?? Data())
    }

}
