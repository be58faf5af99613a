import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Three `accord serve` processes (a hub and two nodes syncing from it), started with the
/// command lines of docker-compose.yml, edited through the CLI, converging over real sockets.
@Suite(.serialized) struct MultiProcessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The services and command lines of docker-compose.yml.
    static func composeCommands() async throws -> [String: [String]] {
        let text = try String(contentsOf: root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let json = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        let compose = try JSONParser.parse(json)
        var out: [String: [String]] = [:]
        for (name, service) in compose["services"]!.objectValue! {
            out[name] = service["command"]!.arrayValue!.map { $0.stringValue! }
        }
        return out
    }

    @Test func composeFileNamesTheHubTwoReplicasAndHealthChecks() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try JSONParser.parse(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n"))
        let services = compose["services"]!.objectValue!
        #expect(Set(services.keys) == ["hub", "replica1", "replica2"])
        for (name, s) in services {
            #expect(s["healthcheck"]?["test"] != nil, "\(name) has no health check")
            #expect(s["volumes"]?.arrayValue?.first?.stringValue?.hasSuffix(":/data") == true)
            let cmd = s["command"]!.arrayValue!.compactMap(\.stringValue)
            #expect(Array(cmd.prefix(2)) == ["accord", "serve"])
            if name != "hub" { #expect(cmd.contains("--peer") && cmd.contains("http://hub:8080")) }
        }
        let volumes = Set(services.values.compactMap { $0["volumes"]?.arrayValue?.first?.stringValue })
        #expect(volumes.count == 3, "each service has its own volume")
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        // Multi-stage: a Swift build stage, and a runtime stage that takes the binary from it
        // or, for .ci/compose-test, from a binary built outside (BINARY_FROM=prebuilt).
        #expect(dockerfile.contains("FROM swift:6.3-bookworm AS build") && dockerfile.contains("FROM scratch AS prebuilt"))
        #expect(dockerfile.contains("ARG BINARY_FROM=build") && dockerfile.contains("COPY --from=binary /image/ /"))
    }

    /// The compose command line for one service, on this machine: the binary for
    /// `accord`, a directory for `/data`, loopback for `0.0.0.0`, any free port, the hub's real URL.
    static func localCommand(_ command: [String], dataDir: String, hubURL: String?) -> [String] {
        var args = Array(command.dropFirst())
        for i in args.indices {
            args[i] = args[i].replacingOccurrences(of: "/data", with: dataDir)
            if args[i] == "0.0.0.0" { args[i] = "127.0.0.1" }
            if i > 0 && args[i - 1] == "--port" { args[i] = "0" }
            if let hubURL, args[i] == "http://hub:8080" { args[i] = hubURL }
        }
        return args
    }

    func waitForConvergence(_ nodes: [ServeProcess], within seconds: Double = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let digests = nodes.map { httpGet($0.url + "/api/v1/digest") }
            if digests.allSatisfy({ $0 != nil }) && Set(digests).count == 1 { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    @Test func threeServeProcessesConvergeAndSurviveARestart() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let commands = try await Self.composeCommands()
        var dirs: [String: String] = [:]
        for name in ["hub", "replica1", "replica2"] {
            dirs[name] = cli.path(name)
            try FileManager.default.createDirectory(atPath: dirs[name]!, withIntermediateDirectories: true)
        }
        let hub = ServeProcess(arguments: Self.localCommand(commands["hub"]!, dataDir: dirs["hub"]!, hubURL: nil), env: cli.env)
        try hub.start()
        defer { _ = hub.terminate() }
        var replicas: [String: ServeProcess] = [:]
        for name in ["replica1", "replica2"] {
            let p = ServeProcess(arguments: Self.localCommand(commands[name]!, dataDir: dirs[name]!, hubURL: hub.url), env: cli.env)
            try p.start()
            replicas[name] = p
        }
        defer { for p in replicas.values { _ = p.terminate() } }
        #expect(try await waitForConvergence([hub] + Array(replicas.values)), "replicas did not catch up with the hub")
        // Each node's curator edits through the CLI, with the node's key (granted by the hub's admin).
        let hubDB = ["--db", dirs["hub"]! + "/accord.db", "--key", dirs["hub"]! + "/node.key"]
        for name in ["replica1", "replica2"] {
            let pub = try await cli.ok(["whoami", "--key", dirs[name]! + "/node.key"]).trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try? await cli.run(["grant", pub, "--role", "editor", "--name", name] + hubDB)
        }
        _ = try await cli.ok(["set", "A/RES/71/19", "notes", "edited on the hub"] + hubDB)
        #expect(try await waitForConvergence([hub] + Array(replicas.values)))
        for name in ["replica1", "replica2"] {
            _ = try await cli.ok([
                "tag", "A/RES/75/10", "edited on \(name)", "--db", dirs[name]! + "/accord.db", "--key", dirs[name]! + "/node.key",
            ])
        }
        #expect(try await waitForConvergence([hub] + Array(replicas.values)), "nodes did not converge: \(replicas.values.map(\.log))")
        let shown = try await cli.ok(["show", "A/RES/75/10", "--db", dirs["replica1"]! + "/accord.db"])
        #expect(shown.contains("edited on replica1") && shown.contains("edited on replica2"))
        // Stop one node gracefully, restart it with the same command, edit again.
        let stopped = replicas["replica2"]!
        #expect(stopped.terminate() == 0, "graceful stop: \(stopped.log.suffix(500))")
        let restarted = ServeProcess(arguments: stopped.arguments, env: cli.env)
        try restarted.start()
        replicas["replica2"] = restarted
        _ = try await cli.ok([
            "set", "A/RES/75/10", "notes", "after the restart", "--db", dirs["replica2"]! + "/accord.db", "--key",
            dirs["replica2"]! + "/node.key",
        ])
        #expect(try await waitForConvergence([hub] + Array(replicas.values)))
        #expect(try await cli.ok(["show", "A/RES/75/10", "--db", dirs["hub"]! + "/accord.db"]).contains("after the restart"))
        // Hummingbird's request log: a line per request, with its method and path.
        #expect(hub.log.contains("hb.request.method=POST hb.request.path=/sync/v1/pull"), "one log line per request")
        #expect(try await cli.ok(["peers", "--db", dirs["replica1"]! + "/accord.db"]).contains(hub.url))
        for dir in dirs.values { #expect(try await cli.ok(["verify", "--db", dir + "/accord.db"]).contains("ok")) }
    }

    @Test func aPeerKilledMidPullLeavesWholeEventsAndTheNextSyncCompletes() async throws {
        let cli = CLI()
        defer { cli.remove() }
        // A hub with a large log, written before the server starts.
        let hubDir = cli.path("hub")
        try FileManager.default.createDirectory(atPath: hubDir, withIntermediateDirectories: true)
        let admin = SigningKey.generate()
        _ = FileManager.default.createFile(
            atPath: hubDir + "/node.key", contents: Data(admin.fileContents.utf8), attributes: [.posixPermissions: 0o600])
        do {
            let log = try EventLog(path: hubDir + "/accord.db", projectors: [CurationProjector()])
            _ = try log.author([.genesis(name: "big")], key: admin)
            _ = try log.author(
                (0..<20_000).map {
                    EventDraft(
                        type: "bench.note", subject: "A/RES/71/19",
                        body: ["n": .int($0), "text": .string(String(repeating: "x", count: 200))])
                }, key: admin)
        }
        let args = ["serve", "--port", "0", "--db", hubDir + "/accord.db", "--key", hubDir + "/node.key"]
        let hub = ServeProcess(arguments: args, env: cli.env)
        try hub.start()
        let replica = try EventLog(path: cli.path("replica.db"), projectors: [CurationProjector()])
        try await withSyncClient { http in
            var session = SyncSession(log: replica, peer: hub.url, http: http)
            session.pageEvents = 20_000
            session.onBatch = { _ in hub.kill() }
            await #expect(throws: SyncError.self) { _ = try await session.sync() }
            let partial = try replica.eventCount()
            #expect(partial > 0 && partial < 20_001, "kept \(partial) events")
            #expect(try replica.verify().isClean)
            let again = ServeProcess(arguments: args, env: cli.env)
            try again.start()
            defer { _ = again.terminate() }
            let report = try await SyncSession(log: replica, peer: again.url, http: http).sync()
            #expect(report.eventsReceived == 20_001 - partial)
            #expect(try replica.eventCount() == 20_001)
            #expect(try replica.verify().isClean)
        }
    }
}
