import AccordCore
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The durability contract under SIGKILL: a real node takes API edits, pushes and an
/// import at once and is killed at random moments; after each kill the database opens,
/// `accord verify` is clean, the read models equal a rebuild, and every event the node
/// acknowledged (a 200 edit answer, an `accepted` push reply, an import's exit 0) is there.
///
/// `swift test` kills 5 times; `Tests/Scripts/crash-test` runs the same test with
/// `ACCORD_CRASH_KILLS=50` (or any number) and prints its report.
@Suite struct CrashTests {
    static let symbols = ["A/RES/71/19", "A/RES/73/11", "A/RES/75/10", "A/RES/72/1", "S/RES/2178 (2014)", "S/RES/2322 (2016)"]

    /// A writer that keeps its own chain, like a curator's program: what it sent without
    /// an answer is sent again after the restart (a duplicate if the node had stored it).
    final class Writer: @unchecked Sendable {
        let name: String
        var chain: ChainSigner
        var pending: [SignedEvent] = []
        var acknowledged: [String] = []
        var unexpected: [String] = []
        var last: [String: String] = [:]
        var n = 0

        init(name: String, key: SigningKey, dataset: String) {
            self.name = name
            chain = ChainSigner(key: key, dataset: dataset)
        }

        func next(_ count: Int) -> [SignedEvent] {
            if !pending.isEmpty { return pending }
            pending = (0..<count).map { _ in
                n += 1
                let symbol = CrashTests.symbols[n % CrashTests.symbols.count]
                let s = try! ResolutionSymbol(parsing: symbol)
                let e = chain.sign(
                    DomainEvent.fieldSet(
                        s, field: .notes, value: .string("\(name) note \(n): checked against the record"),
                        base: last[symbol].map { [$0] } ?? []
                    ).draft)
                last[symbol] = e.id
                return e
            }
            return pending
        }

        /// Posts until the node stops answering (killed) or `stop` is set.
        func run(url: String, path: String, batch: Int, stop: Mutexed<Bool>) {
            while !stop.value {
                let events = next(batch)
                let body = events.map { String(decoding: $0.wireLine, as: UTF8.self) }.joined(separator: "\n") + "\n"
                guard let (status, text) = httpPost(url + path, body: Data(body.utf8), type: "application/x-ndjson") else { return }
                if status == 429 || status == 503 {
                    usleep(20_000)
                    continue
                }
                guard status == 200, let answer = try? JSONParser.parse(Array(text.utf8)),
                    (answer["accepted"]?.intValue ?? 0) + (answer["duplicate"]?.intValue ?? 0) == events.count
                else {
                    unexpected.append("\(name): \(status) \(text.prefix(300))")
                    return
                }
                acknowledged += events.map(\.id)
                pending = []
            }
        }
    }

    @Test func aNodeKilledAtRandomMomentsLosesNothingItAcknowledged() async throws {
        let kills = Int(ProcessInfo.processInfo.environment["ACCORD_CRASH_KILLS"] ?? "") ?? 5
        // The rounds block on processes and sockets for seconds: they run on a thread of their
        // own, not on one of the few threads the other suites' async tests and servers share.
        let outcome = try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Outcome, any Error>) in
            let thread = Thread { cont.resume(with: Result { try Self.rounds(kills: kills) }) }
            thread.start()
        }
        #expect(outcome.problems.isEmpty, "\(outcome.problems.joined(separator: "\n"))")
        #expect(outcome.everyWriterGotThrough, "a writer never got through: the test did not test anything")
        print(outcome.report)
    }

    struct Outcome: Sendable {
        var problems: [String] = []
        var everyWriterGotThrough = false
        var report = ""
    }

    /// Runs `accord ARGS`; a failure is an error (this runs off the test's task).
    static func ok(_ cli: CLI, _ args: [String]) throws -> String {
        let r = try cli.runBlocking(args)
        guard r.status == 0 else { throw TestFailure("accord \(args.joined(separator: " ")) failed: \(r.stderr)") }
        return r.stdout
    }

    static func rounds(kills: Int) throws -> Outcome {
        var outcome = Outcome()
        let cli = CLI()
        defer { cli.remove() }
        _ = try ok(cli, ["keygen", "--out", cli.path("admin")])
        let db = ["--db", cli.path("node.db")]
        _ = try ok(cli, ["init", "--seed", "--key", cli.path("admin")] + db)
        guard let dataset = try JSONParser.parse(Array(try ok(cli, ["log", "--json"] + db).utf8)).arrayValue?.first?["id"]?.stringValue
        else { throw TestFailure("no dataset") }
        let keys = (0..<5).map { SigningKey.fixed("crash-writer-\($0)") }
        for (k, key) in keys.enumerated() {
            _ = try ok(cli, ["grant", key.author.text, "--role", "editor", "--name", "Writer \(k)", "--key", cli.path("admin")] + db)
        }
        let editors = (0..<3).map { Writer(name: "editor\($0)", key: keys[$0], dataset: dataset) }
        let pusher = Writer(name: "pusher", key: keys[3], dataset: dataset)
        // The import: each round a file of 1,500 edits by its own key (the same file again
        // after a round that killed it), acknowledged by the import's exit 0.
        let importer = Writer(name: "importer", key: keys[4], dataset: dataset)
        let importFile = cli.path("import.ndjson")
        var lostTotal = 0

        var rng = SplitMix64(state: 0xC0FF_EE00 + UInt64(kills))
        var restarts = 0
        for round in 0..<kills {
            let server = ServeProcess(arguments: ["serve", "--port", "0", "--key", cli.path("admin")] + db, env: cli.env)
            try server.start()
            restarts += round > 0 ? 1 : 0
            let stop = Mutexed(false)
            var threads: [Thread] = []
            let finished = DispatchGroup()
            for w in editors + [pusher] {
                finished.enter()
                let path = w === pusher ? "/sync/v1/push" : "/api/v1/events"
                let t = Thread {
                    w.run(url: server.url, path: path, batch: w === pusher ? 20 : 1, stop: stop)
                    finished.leave()
                }
                threads.append(t)
                t.start()
            }
            let importing = importer.next(1_500)
            try Data(importing.map { String(decoding: $0.wireLine, as: UTF8.self) + "\n" }.joined().utf8).write(
                to: URL(fileURLWithPath: importFile))
            let importProcess = Process()
            importProcess.executableURL = URL(fileURLWithPath: CLI.binary)
            importProcess.arguments = ["import", importFile] + db
            importProcess.environment = cli.env
            importProcess.standardOutput = FileHandle.nullDevice
            importProcess.standardError = FileHandle.nullDevice
            try importProcess.run()
            // SIGKILL at a random moment while all of them write.
            usleep(UInt32(150_000 + rng.int(900_000)))
            server.kill()
            if importProcess.isRunning { kill(importProcess.processIdentifier, SIGKILL) }
            importProcess.waitUntilExit()
            if importProcess.terminationReason == .exit && importProcess.terminationStatus == 0 {
                importer.acknowledged += importing.map(\.id)
                importer.pending = []
            }
            stop.mutate { $0 = true }
            finished.wait()

            // The database opens and verifies clean.
            let verify = try cli.runBlocking(["verify"] + db)
            if verify.status != 0 { outcome.problems.append("round \(round): verify: \(verify.stdout) \(verify.stderr)") }
            // The read models equal a rebuild from the log.
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: cli.path("node.db") + suffix) {
                try? FileManager.default.removeItem(atPath: cli.path("rebuilt.db") + suffix)
                try FileManager.default.copyItem(atPath: cli.path("node.db") + suffix, toPath: cli.path("rebuilt.db") + suffix)
            }
            try? FileManager.default.removeItem(atPath: cli.path("rebuilt.db-shm"))
            _ = try ok(cli, ["rebuild", "--db", cli.path("rebuilt.db")])
            let digest = try ok(cli, ["digest"] + db)
            if try ok(cli, ["digest", "--db", cli.path("rebuilt.db")]) != digest {
                outcome.problems.append("round \(round): read models differ from a rebuild")
            }
            for f in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cli.path("rebuilt.db") + f) }
            // Every acknowledged event is in the log.
            let stored = Set(try Self.ids(cli.path("node.db")))
            let acknowledged = (editors + [pusher, importer]).flatMap(\.acknowledged)
            let lost = acknowledged.filter { !stored.contains($0) }
            lostTotal += lost.count
            if !lost.isEmpty { outcome.problems.append("round \(round): \(lost.count) acknowledged events lost") }
            for w in editors + [pusher] where !w.unexpected.isEmpty { outcome.problems.append("\(w.name): \(w.unexpected)") }
        }
        let acknowledged = (editors + [pusher, importer]).map(\.acknowledged.count).reduce(0, +)
        outcome.everyWriterGotThrough = editors.allSatisfy { !$0.acknowledged.isEmpty } && !pusher.acknowledged.isEmpty
        outcome.report =
            ("crash report: kills \(kills), restarts \(restarts), acknowledged events checked \(acknowledged) "
                + "(API edits \(editors.map(\.acknowledged.count).reduce(0, +)), pushed \(pusher.acknowledged.count), "
                + "imported \(importer.acknowledged.count) in \(importer.acknowledged.count / 1_500) of \(kills) imports), "
                + "lost \(lostTotal)")
        return outcome
    }

    static func ids(_ path: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [path, "SELECT id FROM events"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// POST a body; nil when the node does not answer (down, killed, connection reset).
func httpPost(_ url: String, body: Data, type: String) -> (Int, String)? {
    let sem = DispatchSemaphore(value: 0)
    let result = Mutex<(Int, String)?>(nil)
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    request.httpBody = body
    request.setValue(type, forHTTPHeaderField: "Content-Type")
    request.timeoutInterval = 10
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if let status = (response as? HTTPURLResponse)?.statusCode {
            result.withLock { $0 = (status, String(decoding: data ?? Data(), as: UTF8.self)) }
        }
        sem.signal()
    }.resume()
    sem.wait()
    return result.withLock { $0 }
}
