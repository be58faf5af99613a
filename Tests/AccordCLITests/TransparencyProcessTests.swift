import AccordCore
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The transparency log between real processes: a hub whose database is copied back from
/// an old backup is caught by its replicas; a hub restored through `accord restore` starts a
/// new epoch that its replicas accept, and they push back what it lost.
@Suite(.serialized) struct TransparencyProcessTests {
    @Test func aHubCopiedBackFromABackupIsCaughtAndARestoreIsANewEpoch() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("hub.key")])
        let hubDB = cli.path("hub.db")
        let hubArgs = ["--db", hubDB, "--key", cli.path("hub.key")]
        _ = try await cli.ok(["init", "--seed"] + hubArgs)
        // A curator's laptop, a member of its own key: its edits are the ones the rollback loses.
        _ = try await cli.ok(["keygen", "--out", cli.path("laptop.key")])
        let laptopKey = try await cli.ok(["whoami", "--key", cli.path("laptop.key")]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await cli.ok(["grant", laptopKey, "--role", "editor", "--name", "Lee Laptop"] + hubArgs)
        let laptop = ["--db", cli.path("laptop.db"), "--key", cli.path("laptop.key")]
        func serve() throws -> ServeProcess {
            let p = ServeProcess(arguments: ["serve", "--port", "0", "--checkpoint-every", "50ms"] + hubArgs, env: cli.env)
            try p.start()
            return p
        }
        func edit(_ text: String) async throws { _ = try await cli.ok(["set", "A/RES/75/10", "notes", text] + hubArgs) }
        func replica(_ r: String) -> [String] { ["--db", cli.path(r + ".db")] }

        var hub = try serve()
        for r in ["r1", "r2"] { _ = try await cli.ok(["clone", hub.url] + replica(r)) }
        _ = try await cli.ok(["clone", hub.url] + laptop)
        _ = try await cli.ok(["backup", "--out", cli.path("backup.db"), "--db", hubDB])
        for n in 1...5 { _ = try await cli.ok(["set", "A/RES/73/11", "notes", "laptop edit \(n)"] + laptop) }
        #expect(try await cli.ok(["sync", hub.url, "--db", cli.path("laptop.db")]).contains("sent 5 events"))
        for r in ["r1", "r2"] {
            let out = try await cli.ok(["sync", hub.url] + replica(r))
            #expect(out.contains("received 5 events") && out.contains("proved to extend"), "\(out)")
        }

        // The hub's database copied back behind Accord's back, then other edits.
        _ = hub.terminate()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: hubDB + suffix) }
        try FileManager.default.removeItem(atPath: hubDB)
        try FileManager.default.copyItem(atPath: cli.path("backup.db"), toPath: hubDB)
        hub = try serve()
        for n in 1...8 { try await edit("hub edit \(n)") }
        let caught = try await cli.run(["sync", hub.url] + replica("r1"))
        #expect(caught.status != 0)
        #expect(caught.stderr.contains("contradicts the one this node verified before"), "\(caught.stderr)")
        #expect(
            caught.stderr.contains("accord/") && caught.stderr.contains("/e1 at "), "the message names the checkpoint: \(caught.stderr)")
        #expect(caught.stderr.contains("Evidence #1"))
        let evidence = try await cli.ok(["evidence", "--notes"] + replica("r1"))
        #expect(
            evidence.contains("#1 ") && evidence.contains("undecided") && evidence.contains("held:") && evidence.contains("— accord/"),
            "\(evidence)")
        #expect(try await cli.ok(["evidence", "--json"] + replica("r1")).contains("\"proof\""))
        #expect(
            !(try await cli.ok(["show", "A/RES/75/10"] + replica("r1"))).contains("hub edit"), "nothing was taken from the rewritten log")
        let refused = try await cli.run(["sync", hub.url] + replica("r1"))
        #expect(refused.status != 0 && refused.stderr.contains("stopped trusting"), "\(refused.stderr)")

        // Restored through Accord instead: a new epoch, announced; the replica pushes back what the hub lost.
        _ = hub.terminate()
        let restored = try await cli.ok(["restore", "--backup", cli.path("backup.db")] + hubArgs)
        #expect(restored.contains("epoch 2") && restored.contains("moved to"), "\(restored)")
        hub = try serve()
        defer { _ = hub.terminate() }
        let announced = try await cli.ok(["sync", hub.url] + replica("r2"))
        #expect(announced.contains("new epoch") && announced.contains("sent 5 events"), "\(announced)")
        #expect(try await cli.ok(["show", "A/RES/73/11", "--db", hubDB]).contains("laptop edit 5"))
        #expect(try await cli.ok(["log", "checkpoint"] + hubArgs).split(separator: "\n")[0].hasSuffix("/e2"))
        #expect(try await cli.ok(["log", "verify", "--db", hubDB]).contains("hold"))

        // An admin who trusts the rewritten history lets the replica sync on (with the new epoch).
        _ = try await cli.ok(["evidence", "decide", "1", "--trust", "--by", "Ada Admin"] + replica("r1"))
        let decided = try await cli.ok(["sync", hub.url] + replica("r1"))
        #expect(decided.contains("new epoch"), "\(decided)")
        #expect(try await cli.ok(["evidence"] + replica("r1")).contains("decided"))
    }

    /// Evidence holds a peer's text (its URL as given, the notes it signed): the hostile corpus
    /// kept as evidence reaches the terminal only through the output's one safe function.
    @Test func evidenceIsPrintedSafely() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let key = SigningKey.generate()
        let path = cli.path("r.db")
        do {
            let log = try EventLog(path: path)
            _ = try log.author([.genesis(name: "evidence")], key: key)
            let note = try log.signCheckpoint(with: key, interval: 0)
            for text in HostileCorpus.controls + HostileCorpus.disguises {
                _ = try log.recordEvidence(family: text, peer: text, detail: text, held: note, seen: note, proof: [])
            }
        }
        for args in [["evidence"], ["evidence", "--notes"]] {
            let out = try await cli.ok(args + ["--db", path])
            #expect(!HostileCorpus.hasUnsafe(out), "\(args)")
        }
        #expect(try await cli.ok(["evidence", "--json", "--db", path]).contains("\"detail\""))
        let bad = try await cli.run(["evidence", "decide", "999", "--trust", "--db", path])
        #expect(bad.status != 0 && bad.stderr.contains("no evidence #999"))
        let both = try await cli.run(["evidence", "decide", "1", "--trust", "--keep", "--db", path])
        #expect(both.status != 0 && both.stderr.contains("--trust or --keep"))
    }
}
