import AccordCore
import Foundation
import Testing

/// Membership changes as an admin runs them: each does what it says, or is refused
/// before anything is signed.
@Suite struct MembershipCommandsTests {
    func events(_ cli: CLI, _ db: [String]) async throws -> Int {
        let log = try await cli.ok(["log", "--json"] + db)
        return try #require(JSONSerialization.jsonObject(with: Data(log.utf8)) as? [Any]).count
    }

    @Test func roleChangesKeepPastActsAndTheLastAdminCannotLeave() async throws {
        let cli = CLI()
        defer { cli.remove() }
        var keys: [String: String] = [:]
        for name in ["alice", "bob", "carol", "alice2"] {
            keys[name] = try await cli.ok(["keygen", "--out", cli.path(name)]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let db = ["--db", cli.path("a.db")]
        func as_(_ who: String) -> [String] { db + ["--key", cli.path(who)] }
        _ = try await cli.ok(["init", "--seed"] + as_("alice"))
        _ = try await cli.ok(["grant", keys["bob"]!, "--role", "admin", "--name", "bob"] + as_("alice"))
        _ = try await cli.ok(["grant", keys["carol"]!, "--role", "editor", "--name", "carol"] + as_("bob"))
        _ = try await cli.ok(["add", "A/RES/76/1", "--title", "Carol's record"] + as_("carol"))

        // 1. A downgrade applies from Bob's next seq: Carol and her record stay.
        let down = try await cli.run(["grant", keys["bob"]!, "--role", "editor", "--name", "bob"] + as_("alice"))
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stderr.contains("editor for its events from seq 2 on"), "\(down.stderr)")
        #expect(try await cli.ok(["list"] + db).contains("A/RES/76/1"))
        let members = try await cli.ok(["members"] + db)
        #expect(members.contains("carol") && members.contains("admin from seq 1, editor from seq 2"), "\(members)")
        // Bob, now an editor, can no longer grant.
        let bobGrants = try await cli.run(["grant", keys["alice2"]!, "--role", "editor", "--name", "x"] + as_("bob"))
        #expect(bobGrants.status == 5 && bobGrants.stderr.contains("would not be an admin"), "\(bobGrants.stderr)")

        // 2. The only admin cannot revoke itself or step down, and nothing is signed.
        let count = try await events(cli, db)
        for args in [
            ["revoke", keys["alice"]!], ["revoke", keys["alice"]!, "--valid-through", "50"],
            ["grant", keys["alice"]!, "--role", "editor", "--name", "alice"],
        ] {
            let r = try await cli.run(args + as_("alice"))
            #expect(
                r.status == 1 && r.stderr.contains("without an admin") && r.stderr.contains("grant another admin first"),
                "\(args): \(r.stderr)")
        }
        // 3. A revoked key stays revoked: a re-grant is refused, with the way out.
        _ = try await cli.ok(["revoke", keys["carol"]!] + as_("alice"))
        let regrant = try await cli.run(["grant", keys["carol"]!, "--role", "editor", "--name", "carol"] + as_("alice"))
        #expect(regrant.status == 1 && regrant.stderr.contains("a revocation is final") && regrant.stderr.contains("accord keygen"))
        // Commands that would change nothing are refused.
        let again = try await cli.run(["grant", keys["bob"]!, "--role", "editor", "--name", "bob"] + as_("alice"))
        #expect(again.status == 1 && again.stderr.contains("nothing to change"))
        let twice = try await cli.run(["revoke", keys["carol"]!] + as_("alice"))
        #expect(twice.status == 1 && twice.stderr.contains("already revoked"))
        #expect(try await events(cli, db) == count + 1, "only the one revocation was signed")

        // rotate still works for the only admin (it grants the new key before revoking the old).
        _ = try await cli.ok(["rotate", "--new-key", cli.path("alice2")] + as_("alice"))
        let after = try await cli.ok(["members"] + db)
        #expect(after.contains(keys["alice2"]!) && after.contains("admin"), "\(after)")
        #expect(try await cli.ok(["verify"] + db).contains("ok"))
        // With another admin, the old admin may now leave: Alice2 revokes herself after granting Bob admin again.
        _ = try await cli.ok(["grant", keys["bob"]!, "--role", "admin", "--name", "bob"] + as_("alice2"))
        _ = try await cli.ok(["revoke", keys["alice2"]!] + as_("alice2"))
        let left = try await cli.ok(["members"] + db)
        #expect(left.contains("revoked after seq"))
    }

    @Test func aDatasetLeftWithoutAnAdminSaysSoEverywhere() async throws {
        let cli = CLI()
        defer { cli.remove() }
        _ = try await cli.ok(["keygen", "--out", cli.path("alice")])
        let db = ["--db", cli.path("a.db")]
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("alice")] + db)
        // Another implementation (or an old version on an offline node) signs the only admin's
        // self-revocation, which this CLI refuses to sign; it arrives by import.
        let alice = try SigningKey(fileContents: String(contentsOfFile: cli.path("alice"), encoding: .utf8))
        _ = try await cli.ok(["export", "--out", cli.path("a.ndjson")] + db)
        let lines = try String(contentsOfFile: cli.path("a.ndjson"), encoding: .utf8).split(separator: "\n")
        let last = try WireFormat.verify(line: Array(lines.last!.utf8)).get()
        let dataset = try WireFormat.verify(line: Array(lines.first!.utf8)).get().id
        let revocation = UnsignedEvent(
            draft: AuthorizationEvent.revoked(key: alice.author, validThroughSeq: last.envelope.seq + 1).draft, dataset: dataset,
            author: alice.author, seq: last.envelope.seq + 1, prev: last.id, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: alice)
        try (String(decoding: revocation.wireLine, as: UTF8.self) + "\n").write(
            toFile: cli.path("r.ndjson"), atomically: true, encoding: .utf8)
        _ = try await cli.ok(["import", cli.path("r.ndjson")] + db)
        let members = try await cli.run(["members"] + db)
        #expect(members.status == 0 && members.stderr.contains("WARNING: this dataset has no admin"), "\(members.stderr)")
        let verify = try await cli.run(["verify"] + db)
        #expect(verify.status == 0 && verify.stderr.contains("warning: this dataset has no admin"), "\(verify.stderr)")
        let server = ServeProcess(arguments: ["serve", "--port", "0", "--key", cli.path("alice")] + db, env: cli.env)
        try server.start()
        defer { _ = server.terminate() }
        #expect(httpGet(server.url + "/")?.contains("This dataset has no admin.") == true)
        #expect(httpGet(server.url + "/members")?.contains("This dataset has no admin.") == true)
    }
}
