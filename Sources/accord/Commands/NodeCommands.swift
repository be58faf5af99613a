import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

/// Runs `f` and captures its outcome.
func attempt<T>(_ f: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await f())
    } catch {
        return .failure(error)
    }
}

/// Parses `30s`, `5m`, `250ms` or a number of seconds.
func parseDuration(_ text: String) throws -> Duration {
    let t = text.trimmingCharacters(in: .whitespaces)
    func n(_ s: Substring) throws -> Double {
        guard let v = Double(s), v > 0 else { throw CLIError("bad duration \(text); use e.g. 30s, 5m, 250ms") }
        return v
    }
    if t.hasSuffix("ms") { return .milliseconds(Int(try n(t.dropLast(2)))) }
    if t.hasSuffix("s") { return .milliseconds(Int(try n(t.dropLast()) * 1000)) }
    if t.hasSuffix("m") { return .seconds(Int(try n(t.dropLast()) * 60)) }
    return .milliseconds(Int(try n(Substring(t)) * 1000))
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node: web UI, JSON API and sync endpoints; syncs with --peer nodes in the background.",
        discussion: """
            On an empty database it creates the node's key (if none is configured) and either seeds a new dataset \
            from Events/seed or, with --peer, joins the peers' dataset on the first sync. Stops gracefully on SIGINT/SIGTERM.
            """)
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions
    @Option(name: .long) var host: String = "127.0.0.1"
    @Option(name: .long, help: "Port (0: any free port; the bound port is logged).") var port: Int = 8080
    @Option(name: .long, help: "A peer node to sync with (repeatable).") var peer: [String] = []
    @Option(name: .long, help: "Interval between background syncs.") var syncEvery: String = "30s"
    @Option(name: .long, help: "Seed records for a new dataset.") var seedFile: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .info
            return h
        }
        let logger = Logger(label: "accord")
        let interval = try parseDuration(syncEvery)
        if !FileManager.default.fileExists(atPath: key.path) {
            let k = SigningKey.generate()
            try KeyStore.create(k, path: key.path)
            logger.info("created node key", metadata: ["path": .string(key.path), "publicKey": .string(k.author.text)])
        }
        let signingKey = try key.load()
        let log = try db.open()
        if try log.datasetID() == nil && peer.isEmpty {
            _ = try log.author([.genesis(name: "UN resolutions highlighting INTERPOL's role")], key: signingKey)
            let file = try Node.seedFile(seedFile)
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            let report = try Curation(log: log).importRecords([UInt8](data), csv: false, key: signingKey)
            logger.info("seeded a new dataset", metadata: ["records": .stringConvertible(report.created), "file": .string(file)])
        }
        let dataset = try log.datasetID() ?? "(joins its peers' dataset)"
        logger.info(
            "node starting",
            metadata: [
                "db": .string(db.path), "dataset": .string(dataset),
                "publicKey": .string(signingKey.author.text), "peers": .string(peer.joined(separator: ",")),
            ])
        let app = NodeServer.application(
            log: log, key: signingKey, configuration: NodeConfiguration(host: host, port: port, peers: peer, syncEvery: interval),
            logger: logger,
            onRunning: { port in logger.info("listening", metadata: ["url": .string("http://\(host):\(port)")]) })
        try await app.runService()
        logger.info("node stopped")
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull from a peer, then push to it; print what moved.")
    @OptionGroup var db: DatabaseOptions
    @Argument var url: String
    @Flag(name: .long) var json = false
    @Option(name: .long, help: "Events per page.") var pageEvents: Int = SyncProtocol.defaultPageEvents

    func run() async throws {
        let log = try db.open()
        let http = SyncSession.makeClient()
        var session = SyncSession(log: log, peer: url, http: http)
        session.pageEvents = pageEvents
        let result = await attempt { try await session.sync() }
        try? await http.shutdown()
        switch result {
        case .success(let report):
            try? log.recordPeer(url: url, ok: true, result: report.summary)
            print(json ? jsonString(report) : report.summary)
        case .failure(let error):
            try? log.recordPeer(url: url, ok: false, result: "\(error)")
            throw CLIError("sync failed: \(error)")
        }
    }
}

struct CloneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone", abstract: "Make a new node holding a peer's whole log, verified.")
    @OptionGroup var db: DatabaseOptions
    @Argument var url: String
    @Flag(name: .long) var json = false

    func run() async throws {
        if FileManager.default.fileExists(atPath: db.path), try db.open().eventCount() > 0 {
            throw CLIError("\(db.path) already holds events; clone makes a new node (use `accord sync` to update one)")
        }
        let log = try db.open()
        let http = SyncSession.makeClient()
        let result = await attempt { try await SyncSession(log: log, peer: url, http: http).sync(push: false) }
        try? await http.shutdown()
        let report: SyncReport
        switch result {
        case .success(let r): report = r
        case .failure(let error):
            throw CLIError("clone failed: \(error) (what arrived is kept; run `accord sync \(url)` to resume)")
        }
        let verified = try log.verify()
        if json {
            print(jsonString(report))
        } else {
            print(report.summary)
            print("verified \(verified.events) events: \(verified.isClean ? "ok" : "\(verified.problems.count) problems")")
        }
        if !verified.isClean { throw ExitCode(1) }
    }
}

struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "The last sync result per peer.")
    @OptionGroup var db: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let peers = try db.open().peers()
        if json {
            print(jsonString(peers))
            return
        }
        if peers.isEmpty { print("no peers synced yet") }
        for p in peers {
            print("\(p.url)  last success \(p.lastSuccess ?? "never"), \(p.failures) failures since\n    \(p.lastResult ?? "")")
        }
    }
}

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Check that a node answers (exit 0) — for container health checks.")
    @Argument var url: String = "http://127.0.0.1:8080"

    func run() async throws {
        let http = SyncSession.makeClient()
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let result = await attempt { try await http.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(5)) }
        try? await http.shutdown()
        switch result {
        case .success(let r) where r.status == .ok: print("ok")
        case .success(let r): throw CLIError("\(base) answered \(r.status.code)")
        case .failure(let e): throw CLIError("\(base) does not answer: \(e)")
        }
    }
}
