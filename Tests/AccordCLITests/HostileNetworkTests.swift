import AccordCore
import AccordTestSupport
import Foundation
import Subprocess
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Attacks from the network against real `accord serve` processes: strangers, hostile
/// peers and revoked members try to change what a node believes. Each fails on the code
/// before the hostile-network work and passes after.
@Suite struct HostileNetworkTests {
    /// POSTs `body`; returns the status, the body and the headers.
    /// Status 0 when the request failed without an answer; header names in lower case.
    static func post(_ url: String, _ body: Data, type: String = "application/x-ndjson") async -> (Int, Data, [String: String]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 120
        request.setValue(type, forHTTPHeaderField: "content-type")
        guard let (data, response) = try? await URLSession.shared.data(for: request), let r = response as? HTTPURLResponse else {
            return (0, Data(), [:])
        }
        var headers: [String: String] = [:]
        for (k, v) in r.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return (r.statusCode, data, headers)
    }

    static func json(_ data: Data) -> [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }

    /// A seeded node with an editor, as files: (cli, admin key path, editor key path, db args).
    struct Node {
        let cli: CLI
        let db: String
        var read: [String] { ["--db", db] }
        func admin(_ args: [String]) async throws -> String { try await cli.ok(args + ["--db", db, "--key", cli.path("admin")]) }
        func key(_ name: String) throws -> SigningKey {
            try SigningKey(fileContents: String(contentsOfFile: cli.path(name), encoding: .utf8))
        }
        /// The node's log as wire lines and decoded events.
        func events() async throws -> [(line: [UInt8], event: SignedEvent)] {
            _ = try await cli.ok(["export", "--out", cli.path("export.ndjson")] + read)
            return try String(contentsOfFile: cli.path("export.ndjson"), encoding: .utf8).split(separator: "\n").map {
                let line = Array($0.utf8)
                return (line, try WireFormat.verify(line: line).get())
            }
        }
    }

    static func seeded(_ cli: CLI, editor: Bool = true) async throws -> Node {
        _ = try await cli.ok(["keygen", "--out", cli.path("admin")])
        let node = Node(cli: cli, db: cli.path("n.db"))
        _ = try await node.admin(["init", "--seed"])
        if editor {
            let e = try await cli.ok(["keygen", "--out", cli.path("editor")]).trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try await node.admin(["grant", e, "--role", "editor", "--name", "Eve Editor"])
        }
        return node
    }

    func serve(_ cli: CLI, _ args: [String]) async throws -> ServeProcess {
        let p = ServeProcess(arguments: ["serve", "--port", "0"] + args, env: cli.env)
        try p.start()
        return p
    }

    /// The next event of `key`'s chain in `node`, as a wire line.
    func next(
        _ node: Node, _ key: SigningKey, _ draft: EventDraft, time: HLCTime = HLCTime(millis: HybridLogicalClock.wallMillis()),
        seqOffset: Int = 1
    ) async throws -> [UInt8] {
        let all = try await node.events()
        let mine = all.filter { $0.event.envelope.author == key.author.text }
        let dataset = all[0].event.id
        let seq = (mine.last?.event.envelope.seq ?? 0) + seqOffset
        let prev = seqOffset == 1 ? mine.last?.event.id : mine.first { $0.event.envelope.seq == seq - 1 }?.event.id
        return UnsignedEvent(draft: draft, dataset: dataset, author: key.author, seq: seq, prev: prev, time: time).signed(by: key).wireLine
    }

    static let symbol = try! ResolutionSymbol(parsing: "A/RES/72/1")

    @Test func strippedBodiesAreOwedNotLostAndHealOnSync() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let hub = try await Self.seeded(cli)
        let editor = try hub.key("editor")
        _ = try await cli.ok(["set", "A/RES/72/1", "notes", "Eve's note", "--key", cli.path("editor")] + hub.read)
        _ = try await hub.admin(["revoke", editor.author.text])
        // The victim holds the hub's log up to the grant: it lacks Eve's edit and her revocation.
        let all = try await hub.events()
        let upToGrant = all.prefix { $0.event.envelope.author != editor.author.text && $0.event.envelope.type != "member.revoked" }
        try (upToGrant.map { String(decoding: $0.line, as: UTF8.self) }.joined(separator: "\n") + "\n")
            .write(toFile: cli.path("old.ndjson"), atomically: true, encoding: .utf8)
        _ = try await cli.ok(["clone", cli.path("old.ndjson"), "--db", cli.path("victim.db")])
        let victim = try await serve(cli, ["--db", cli.path("victim.db"), "--key", cli.path("victim.key")])
        defer { _ = victim.terminate() }
        let hubServer = try await serve(cli, ["--db", hub.db, "--key", cli.path("admin")])
        defer { _ = hubServer.terminate() }

        // A stranger pulls the new events, deletes their bodies, and pushes them to the victim.
        let fresh = all.dropFirst(upToGrant.count)
        let stripped = fresh.map { WireFormat.line(envelope: $0.event.envelopeBytes, signature: $0.event.signature, body: nil) }
        let (status, data, _) = await Self.post(victim.url + "/sync/v1/push", Data(stripped.map { $0 + [0x0A] }.joined()))
        #expect(status == 200)
        let reply = Self.json(data)
        // The revocation is refused outright; the edit is held, body pending, out of the read models.
        #expect((reply["rejectedByCode"] as? [String: Int]) == ["bad-shape": 1], "\(reply)")
        #expect(String(data: data, encoding: .utf8)!.contains("must carry its body"))
        #expect(!(httpGet(victim.url + "/api/v1/record?symbol=A/RES/72/1") ?? "").contains("Eve's note"))
        let verify = try await cli.ok(["verify", "--db", cli.path("victim.db")])
        #expect(verify.contains("1 bodies pending") && verify.contains("ok"), "\(verify)")

        // An honest sync to the victim heals it: the victim's page end names the bodies it is
        // owed and the syncing node pushes them with the revocation.
        let push = try await cli.run(["sync", victim.url, "--db", hub.db])
        #expect(push.status == 0, "\(push.stdout) \(push.stderr)")
        #expect(try await cli.ok(["digest", "--db", cli.path("victim.db")]) == (try await cli.ok(["digest"] + hub.read)))
        #expect((httpGet(victim.url + "/api/v1/record?symbol=A/RES/72/1") ?? "").contains("Eve's note"))
        #expect(try await cli.ok(["verify", "--db", cli.path("victim.db")]).contains("0 bodies pending"))
        #expect(try await cli.ok(["members", "--db", cli.path("victim.db")]).contains("revoked after seq 1"))

        // A node that took the stripped edit from a file heals when it pulls: it asks for the body by id.
        _ = try await cli.ok(["clone", cli.path("old.ndjson"), "--db", cli.path("second.db")])
        try Data(stripped.map { $0 + [0x0A] }.joined()).write(to: URL(fileURLWithPath: cli.path("stripped.ndjson")))
        let imported = try await cli.run(["import", cli.path("stripped.ndjson"), "--db", cli.path("second.db")])
        #expect(imported.status == 1 && imported.stdout.contains("must carry its body"))
        #expect(try await cli.ok(["verify", "--db", cli.path("second.db")]).contains("1 bodies pending"))
        let pull = try await cli.run(["sync", hubServer.url, "--db", cli.path("second.db")])
        #expect(pull.status == 0, "\(pull.stdout) \(pull.stderr)")
        #expect(try await cli.ok(["digest", "--db", cli.path("second.db")]) == (try await cli.ok(["digest"] + hub.read)))
        #expect(try await cli.ok(["verify", "--db", cli.path("second.db")]).contains("0 bodies pending"))
    }

    @Test func aRevokedKeyCannotPoisonTheClock() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli)
        let editor = try node.key("editor")
        _ = try await cli.ok(["set", "A/RES/72/1", "notes", "before", "--key", cli.path("editor")] + node.read)
        _ = try await node.admin(["revoke", editor.author.text])
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        // Stamped four minutes ahead (within the drift bound, so stored, as invalid): an event
        // that does not count must not move the clock. (Year 9999 is refused outright.)
        let ahead = HLCTime(millis: HybridLogicalClock.wallMillis() + 240_000)
        let poisoned = try await next(
            node, editor, DomainEvent.fieldSet(Self.symbol, field: .notes, value: "from the future", base: []).draft, time: ahead)
        let (status, data, _) = await Self.post(server.url + "/sync/v1/push", Data(poisoned + [0x0A]))
        #expect(status == 200 && Self.json(data)["invalid"] as? Int == 1, "\(String(decoding: data, as: UTF8.self))")
        let why = (Self.json(data)["invalidEvents"] as? [[String: Any]])?.first?["reason"] as? String
        #expect(why?.contains("revoked after seq 1") == true, "\(String(decoding: data, as: UTF8.self))")
        // Grant then revoke six fresh keys: every one ends revoked, and local times stay now.
        var keys: [String] = []
        for k in 0..<6 {
            let pub = try await cli.ok(["keygen", "--out", cli.path("k\(k)")]).trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try await node.admin(["grant", pub, "--role", "editor", "--name", "k\(k)"])
            _ = try await node.admin(["revoke", pub])
            keys.append(pub)
        }
        let members = try await cli.ok(["members"] + node.read).split(separator: "\n")
        for pub in keys { #expect(members.contains { $0.contains(pub) && $0.contains("revoked") }, "\(pub) is still a member") }
        let log = try await cli.ok(["log"] + node.read).split(separator: "\n")
        let last = try #require(HLCTime(String(log.last!.split(separator: "\t")[1])))
        #expect(last < ahead, "the clock followed the revoked key's time: \(last)")
    }

    @Test func aJunkPushCostsBoundedMemoryAndAShortAnswer() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli, editor: false)
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        var body = Data()
        body.reserveCapacity(4 << 20)
        for _ in 0..<(2 << 20) { body.append(contentsOf: [UInt8(ascii: "x"), 0x0A]) }
        let start = Date()
        let (status, data, _) = await Self.post(server.url + "/sync/v1/push", body)
        // A push of lines refused for free ends as soon as its refusals outweigh what it
        // brings: it holds no push slot, whatever its pace.
        #expect(status == 422, "\(status) \(String(decoding: data, as: UTF8.self))")
        let reply = Self.json(data)
        #expect(reply["title"] as? String == "Push mostly refused", "\(reply)")
        #expect(data.count < 64 << 10, "answer of \(data.count) bytes")
        #expect(Date().timeIntervalSince(start) < 30)
        let status2 = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        let hwm = status2.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }!.split(separator: " ").dropFirst().first!
        #expect(Int(hwm)! < 200_000, "peak RSS \(hwm) kB")
    }

    @Test func strangersAreRefusedBeforeAnySignatureCheckAndPushesAreRationed() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli, editor: false)
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        let stranger = SigningKey.fixed("stranger")
        let dataset = try await node.events()[0].event.id
        let valid = UnsignedEvent(
            draft: DomainEvent.fieldSet(Self.symbol, field: .notes, value: "stranger", base: []).draft, dataset: dataset,
            author: stranger.author, seq: 1, prev: nil, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: stranger)
        // The same envelope with a signature that would fail: refused as a stranger, not as a bad signature.
        let badSig = WireFormat.line(envelope: valid.envelopeBytes, signature: String(repeating: "A", count: 86), body: valid.bodyBytes)
        let flood = Data((Array(repeating: valid.wireLine + [0x0A], count: 500) + Array(repeating: badSig + [0x0A], count: 500)).joined())
        let (status, data, _) = await Self.post(server.url + "/sync/v1/push", flood)
        #expect(status == 200)
        #expect((Self.json(data)["rejectedByCode"] as? [String: Int]) == ["unauthorized": 1000], "\(Self.json(data))")
        // More concurrent pushes than the node runs at once: the extra ones get 429 and Retry-After.
        var junkBody = Data()
        for _ in 0..<(1 << 20) { junkBody.append(contentsOf: [UInt8(ascii: "x"), 0x0A]) }
        let junk = junkBody
        let url = server.url
        let all = await withTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let (s, _, h) = await Self.post(url + "/sync/v1/push", junk)
                    return (s, h["retry-after"])
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(all.contains { $0.0 == 429 && $0.1 == "1" }, "\(all.map(\.0))")
        #expect(all.contains { $0.0 == 422 }, "\(all.map(\.0))")
    }

    @Test func aTricklingPushIsCutOffAndFreesItsSlot() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli, editor: false)
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        let port = server.url.split(separator: ":").last!
        // Two pushes that send a byte every 2 s hold both push slots... for at most ~12 s.
        // (A trickle turned away because the probe below held a slot for a moment tries again.)
        let script = """
            import socket, sys, time
            def trickle():
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                s.sendall(b"POST /sync/v1/push HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nTransfer-Encoding: chunked\\r\\ncontent-type: application/x-ndjson\\r\\n\\r\\n")
                reply = b""
                s.settimeout(2)
                for _ in range(30):
                    try:
                        s.sendall(b"1\\r\\n\\n\\r\\n")
                        reply += s.recv(4096)
                        if reply: break
                    except socket.timeout:
                        pass
                    except OSError:
                        break
                return reply.split(b"\\r\\n")[0].decode() if reply else "no answer"
            for _ in range(20):
                answer = trickle()
                if " 429 " not in answer: break
                time.sleep(0.3)
            print(answer)
            """
        try script.write(toFile: cli.path("trickle.py"), atomically: true, encoding: .utf8)
        let trickle = { @Sendable in
            try await Subprocess.run(
                .name("python3"), arguments: [cli.path("trickle.py"), String(port)], output: .string(limit: 1 << 16)
            ).standardOutput
        }
        async let first = trickle()
        async let second = trickle()
        // Meanwhile an honest push is turned away (asked until both trickles hold their slot,
        // well inside the 10 s they may take before their rate is judged)...
        var busy = 0
        for _ in 0..<32 where busy != 429 {
            try await Task.sleep(for: .milliseconds(250))
            busy = await Self.post(server.url + "/sync/v1/push", Data("x\n".utf8)).0
        }
        #expect(busy == 429)
        let answers = [try await first, try await second]
        // ... the trickling pushes were cut off for their rate, and the slots are free again.
        #expect(answers.allSatisfy { $0.contains("408") }, "\(answers)")
        let (free, _, _) = await Self.post(server.url + "/sync/v1/push", Data("x\n".utf8))
        #expect(free == 200)
    }

    @Test func anEmptyNodeRefusesPushesAndAdoptsOnlyItsPeersDataset() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let hubNode = try await Self.seeded(cli, editor: false)
        let hub = try await serve(cli, ["--db", hubNode.db, "--key", cli.path("admin")])
        defer { _ = hub.terminate() }
        // An attacker's own dataset.
        _ = try await cli.ok(["keygen", "--out", cli.path("mallory")])
        _ = try await cli.ok(["init", "--key", cli.path("mallory"), "--db", cli.path("evil.db")])
        _ = try await cli.ok(["export", "--out", cli.path("evil.ndjson"), "--db", cli.path("evil.db")])
        let evil = try Data(contentsOf: URL(fileURLWithPath: cli.path("evil.ndjson")))
        let empty = try await serve(cli, ["--db", cli.path("empty.db"), "--key", cli.path("empty.key"), "--peer", "http://127.0.0.1:9"])
        defer { _ = empty.terminate() }
        let (status, data, _) = await Self.post(empty.url + "/sync/v1/push", evil)
        #expect(status == 409 && String(decoding: data, as: UTF8.self).contains("No dataset yet"))
        #expect(httpGet(empty.url + "/health")?.contains("\"dataset\":null") == true)
        // With --dataset, an empty node adopts that dataset only: a peer of another is refused.
        let evilID = try await cli.ok(["log", "--json", "--db", cli.path("evil.db")]).components(separatedBy: "\"id\":\"")[1].prefix(64)
        let picky = try await serve(
            cli,
            [
                "--db", cli.path("picky.db"), "--key", cli.path("picky.key"), "--peer", hub.url, "--dataset", String(evilID),
                "--sync-every", "1s",
            ])
        defer { _ = picky.terminate() }
        // Once its first sync with the hub has been refused, it still holds no dataset.
        #expect(await eventually { picky.log.contains("refused the pull (409)") }, "\(picky.log.suffix(800))")
        #expect(httpGet(picky.url + "/health")?.contains("\"dataset\":null") == true)
    }

    @Test func forkEvidenceIsBoundedBodilessAndOnlyForKeysThatMaySign() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli)
        let editor = try node.key("editor")
        _ = try await cli.ok(["set", "A/RES/72/1", "notes", "first", "--key", cli.path("editor")] + node.read)
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        // Twenty different events with the seq Eve already used, each with a large body.
        let big = String(repeating: "secret ", count: 20_000)
        var twins: [[UInt8]] = []
        for k in 0..<20 {
            twins.append(
                try await next(
                    node, editor, DomainEvent.fieldSet(Self.symbol, field: .text, value: .string("\(k) \(big)"), base: []).draft,
                    seqOffset: 0))
        }
        let (status, data, _) = await Self.post(server.url + "/sync/v1/push", Data(twins.map { $0 + [0x0A] }.joined()))
        #expect(status == 200 && (Self.json(data)["rejectedByCode"] as? [String: Int]) == ["equivocation": 20], "\(Self.json(data))")
        let forks = try await cli.ok(["forks", "--json"] + node.read)
        let list = try JSONSerialization.jsonObject(with: Data(forks.utf8)) as! [Any]
        // The first twin is the evidence: from its seq on the key counts nowhere (`ForkRule`),
        // so the other nineteen are refused and leave nothing.
        #expect(list.count == 1)
        for f in ["n.db", "n.db-wal"] {
            if let d = FileManager.default.contents(atPath: cli.path(f)) { #expect(d.range(of: Data("secret secret".utf8)) == nil, "\(f)") }
        }
        // A revoked key's equivocations beyond its cut-off leave no evidence at all.
        _ = try await node.admin(["revoke", editor.author.text, "--valid-through", "0"])
        let late = try await next(node, editor, DomainEvent.topicsAdded(Self.symbol, ["late"]).draft, seqOffset: 0)
        let (_, d2, _) = await Self.post(server.url + "/sync/v1/push", Data(late + [0x0A]))
        #expect((Self.json(d2)["rejected"] as? Int) == 1, "\(Self.json(d2))")
        #expect(
            (try JSONSerialization.jsonObject(with: Data(try await cli.ok(["forks", "--json"] + node.read).utf8)) as! [Any]).count == 1)
    }

    @Test func aRedactionLeavesNoCopyWhileTheNodeRuns() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli, editor: false)
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        let phone = "+41 79 555 01 23"
        let id = try await node.admin(["set", "A/RES/72/1", "notes", "call Ms Example on \(phone)"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect((httpGet(server.url + "/api/v1/search?q=Example") ?? "").contains("A/RES/72/1"))
        _ = try await node.admin(["redact", id, "--reason", "personal data"])
        for f in ["n.db", "n.db-wal", "n.db-shm"] {
            if let d = FileManager.default.contents(atPath: cli.path(f)) {
                #expect(d.range(of: Data(phone.utf8)) == nil, "\(f) still holds the number")
                #expect(d.range(of: Data("Ms Example".utf8)) == nil, "\(f) still holds the name")
            }
        }
        #expect(!(httpGet(server.url + "/api/v1/search?q=Example") ?? "A/RES/72/1").contains("A/RES/72/1"))
    }

    @Test func timesReachSQLOnlyAsValuesAndBefore1970IsRefused() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli, editor: false)
        for asOf in ["1969-12-31T23:59:59.001Z", "2026-01-01T00:00:00Z' OR '1'='1"] {
            let r = try await cli.run(["show", "A/RES/72/1", "--as-of", asOf] + node.read)
            #expect(r.status == 1 && r.stderr.contains("from 1970 on") && !r.stderr.contains("SQL"), "\(asOf): \(r.stderr)")
        }
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        let (d, r) = try await URLSession.shared.data(
            from: URL(string: server.url + "/api/v1/record?symbol=A/RES/72/1&asOf=1969-12-31T23:59:59.001Z")!)
        let code = (r as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: d, as: UTF8.self)
        #expect(code == 400 && text.contains("from 1970 on") && !text.contains("SQL"), "\(code) \(text)")
    }

    @Test func keyFilesOthersCanReadAreRefused() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await Self.seeded(cli, editor: false)
        chmod(cli.path("admin"), 0o644)
        let r = try await cli.run(["set", "A/RES/72/1", "notes", "x", "--key", cli.path("admin")] + node.read)
        #expect(r.status == 1 && r.stderr.contains("chmod 600 \(cli.path("admin"))") && r.stderr.contains("mode 644"), "\(r.stderr)")
        chmod(cli.path("admin"), 0o600)
        _ = try await node.admin(["set", "A/RES/72/1", "notes", "x"])
    }
}

/// HTTPS between nodes, with a CA the test makes: a client trusts the node only through that CA.
@Suite struct TLSTests {
    func openssl(_ cli: CLI, _ args: [String]) async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cli.dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "openssl \(args.joined(separator: " "))")
    }

    @Test func nodesServeHTTPSAndPeersAreVerified() async throws {
        let cli = CLI()
        defer { cli.remove() }
        // A CA, and a certificate for 127.0.0.1 that it signs.
        try await openssl(
            cli,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                "/CN=Accord test CA",
            ])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: cli.path("san.ext"), atomically: true, encoding: .utf8)
        try await openssl(
            cli, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "node.key.pem", "-out", "node.csr", "-subj", "/CN=127.0.0.1"])
        try await openssl(
            cli,
            [
                "x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "node.pem", "-days", "2",
                "-extfile", "san.ext",
            ])
        _ = try await cli.ok(["keygen", "--out", cli.path("admin")])
        _ = try await cli.ok(["init", "--seed", "--key", cli.path("admin"), "--db", cli.path("hub.db")])
        let hub = ServeProcess(
            arguments: [
                "serve", "--port", "0", "--db", cli.path("hub.db"), "--key", cli.path("admin"), "--tls-cert", cli.path("node.pem"),
                "--tls-key", cli.path("node.key.pem"),
            ], env: cli.env)
        try hub.start()
        defer { _ = hub.terminate() }
        #expect(hub.url.hasPrefix("https://127.0.0.1:"))
        // Without the CA, the client refuses the node's certificate, and says how to trust a team CA.
        let untrusted = try await cli.run(["clone", hub.url, "--db", cli.path("a.db")])
        #expect(untrusted.status == 1 && untrusted.stderr.contains("ACCORD_CA_FILE"), "\(untrusted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("a.db")))
        // With it, clone and sync work over HTTPS.
        var trusting = cli
        trusting.env["ACCORD_CA_FILE"] = cli.path("ca.pem")
        let cloned = try await trusting.run(["clone", hub.url, "--db", cli.path("b.db")])
        #expect(cloned.status == 0 && cloned.stdout.contains("verified 43 events: ok"), "\(cloned.stdout) \(cloned.stderr)")
        let synced = try await trusting.run(["sync", hub.url, "--db", cli.path("b.db")])
        #expect(
            synced.status == 0,
            "\(synced.stdout) \(synced.stderr) (ca.pem there: \(FileManager.default.fileExists(atPath: cli.path("ca.pem"))))")
        // Half a TLS configuration is refused before anything listens.
        let half = try await cli.run(["serve", "--port", "0", "--db", cli.path("hub.db"), "--tls-cert", cli.path("node.pem")])
        #expect(half.status == 1 && half.stderr.contains("both --tls-cert and --tls-key"))
    }
}
