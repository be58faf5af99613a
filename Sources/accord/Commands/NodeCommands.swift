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
    @Option(name: .long, help: "On an empty database without --peer: your name as the new dataset's creator.") var creator: String?
    @Option(name: .long, help: "With --peer on an empty database: the only dataset id to adopt from the peers.")
    var dataset: String?
    @Option(name: .long, help: "A host name browsers may edit through, besides IP addresses and localhost (repeatable).")
    var allowedHost: [String] = []
    @Option(name: .long, help: "Serve HTTPS: the certificate chain (PEM). Needs --tls-key.") var tlsCert: String?
    @Option(name: .long, help: "Serve HTTPS: the private key (PEM).") var tlsKey: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .info
            return h
        }
        let logger = Logger(label: "accord")
        guard (0...65535).contains(port) else { throw CLIError("--port \(port) is out of range: use 1 to 65535, or 0 for any free port") }
        let interval = try parseDuration(syncEvery)
        var peers: [String] = []
        for url in peer {
            do throws(SyncError) {
                peers.append(try PeerURL.validate(url))
            } catch {
                throw CLIError("--peer \(error.description)")
            }
        }
        let keyPath = key.path(for: db)
        if !FileManager.default.fileExists(atPath: keyPath) {
            let k = SigningKey.generate()
            try KeyStore.create(k, path: keyPath)
            logger.info("created node key", metadata: ["path": .string(keyPath), "publicKey": .string(k.author.text)])
        }
        let signingKey = try KeyStore.load(path: keyPath)
        let log = try db.openOrCreate()
        if try log.datasetID() == nil && peers.isEmpty {
            let file = try Node.seedFile(seedFile)
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            let started = try Curation(log: log).createDataset(
                name: "UN resolutions highlighting INTERPOL's role", creator: creator, seed: [UInt8](data), key: signingKey)
            logger.info(
                "seeded a new dataset", metadata: ["records": .stringConvertible(started.seeded?.created ?? 0), "file": .string(file)])
        }
        let shownDataset = try log.datasetID() ?? dataset.map { "(adopts \($0) from its peers)" } ?? "(joins its peers' dataset)"
        logger.info(
            "node starting",
            metadata: [
                "db": .string(db.path), "dataset": .string(shownDataset),
                "publicKey": .string(signingKey.author.text), "peers": .string(peers.joined(separator: ",")),
            ])
        var configuration = NodeConfiguration(host: host, port: port, peers: peers, syncEvery: interval, dataset: dataset)
        configuration.allowedHosts = allowedHost
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): configuration.tls = (cert, key)
        case (nil, nil): break
        default: throw CLIError("HTTPS needs both --tls-cert and --tls-key (PEM files)")
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        // Unreadable TLS files fail here with their own message (TLSFilesError).
        let app = try NodeServer.application(
            log: log, configuration: configuration, logger: logger,
            onRunning: { port in logger.info("listening", metadata: ["url": .string("\(scheme)://\(host):\(port)")]) })
        do {
            try await app.runService()
        } catch {
            if let said = NodeServer.describeStartupError(error, host: host, port: port) { throw CLIError(said) }
            throw error
        }
        logger.info("node stopped")
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull from a peer, then push to it; print what moved.",
        discussion: """
            Exits 1, with the reason and the next step, when the sync failed, when either node refused events, \
            when a key was found signing on two nodes (a fork), or when the nodes still differ afterwards. \
            With --json, stdout holds the report or {"error": ...}.
            """)
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The peer's base URL, e.g. http://127.0.0.1:8080.") var url: String
    @Flag(name: .long, help: "Print the report (or the error) as JSON.") var json = false
    @Option(name: .long, help: "Events per page.") var pageEvents: Int = SyncProtocol.defaultPageEvents
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let peer: String
        do {
            peer = try PeerURL.validate(url)
        } catch {
            throw CLIError(error.description)
        }
        guard pageEvents > 0 else { throw CLIError("--page-events must be at least 1") }
        let log = try db.open()
        let http = SyncSession.makeClient()
        var session = SyncSession(log: log, peer: peer, http: http)
        session.pageEvents = pageEvents
        let shown = progress.reporter("sync (received)")
        session.onBatch = { shown.add($0) }
        let s = session
        let result = await attempt { try await s.sync() }
        shown.finish()
        try? await http.shutdown()
        switch result {
        case .success(let report):
            try? log.recordPeer(
                url: peer, ok: report.problem == nil, result: report.problem.map { "\($0) [\(report.summary)]" } ?? report.summary)
            print(json ? jsonString(report) : report.summary)
            if let problem = report.problem {
                if !json {
                    for r in report.refusals { printErr("  " + r) }
                    printErr("Error: sync incomplete: " + problem)
                }
                throw ExitCode(1)
            }
        case .failure(let error):
            try? log.recordPeer(url: peer, ok: false, result: "\(error)")
            throw CLIError("sync failed: \(error)")
        }
    }
}

struct CloneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone", abstract: "Make a new node holding a peer's whole log (or an exported log file), verified.",
        discussion: """
            One key, one node: the new node gets its own device key, written beside the database (DB.key, mode 0600) \
            and used by every command run with that --db; clone prints the `accord grant` command an admin runs \
            for it. With --key, that key is used instead, and refused if it already signs events in the dataset.
            """)
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions
    @Argument(help: "The peer's base URL (http://HOST:PORT), or an NDJSON file from `accord export`.") var source: String
    @Flag(name: .long) var json = false
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        if FileManager.default.fileExists(atPath: db.path), try db.open().eventCount() > 0 {
            throw CLIError("\(db.path) already holds events; clone makes a new node (use `accord sync` to update one)")
        }
        let fromFile = !source.contains("://") && FileManager.default.fileExists(atPath: source)
        let peer: String
        do {
            peer = fromFile ? source : try PeerURL.validate(source)
        } catch {
            throw CLIError("\(error.description) (or the path of an exported log file)")
        }
        let log = try db.openOrCreate()
        var report = SyncReport(peer: peer)
        if fromFile {
            guard let data = FileManager.default.contents(atPath: source) else { throw CLIError("cannot read \(source)") }
            let shown = progress.reporter("clone")
            let result = try NDJSONImport.run(data: [UInt8](data), into: log, progress: shown.update)
            shown.finish()
            report.eventsReceived = result.summary.accepted + result.summary.invalid
            report.rejectedReceived = result.summary.rejected
        } else {
            let http = SyncSession.makeClient()
            let shown = progress.reporter("clone")
            var session = SyncSession(log: log, peer: peer, http: http)
            session.onBatch = { shown.add($0) }
            let s = session
            let result = await attempt { try await s.sync(push: false) }
            shown.finish()
            try? await http.shutdown()
            switch result {
            case .success(let r): report = r
            case .failure(let error):
                if try log.eventCount() == 0 {
                    // Nothing arrived: leave no empty node behind for later commands to mistake for one.
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db.path + suffix) }
                    throw CLIError("clone failed: \(error); nothing was created, check the URL and that the peer runs, then clone again")
                }
                throw CLIError("clone failed: \(error) (what arrived is kept; run `accord sync \(peer) --db \(db.path)` to resume)")
            }
        }
        let verified = try log.verify()
        let device = try deviceKey(log)
        if json {
            print(jsonString(report))
        } else {
            print(report.summary)
            print("verified \(verified.events) events: \(verified.isClean ? "ok" : "\(verified.problems.count) problems")")
        }
        printErr(device)
        if !verified.isClean || report.rejectedReceived > 0 { throw ExitCode(1) }
    }

    /// The new node's key: --key when it does not already sign in this dataset, else a new
    /// device key beside the database. Returns what to tell the user.
    func deviceKey(_ log: EventLog) throws -> String {
        let path = key.key ?? db.deviceKeyPath
        if !FileManager.default.fileExists(atPath: path) { try KeyStore.create(SigningKey.generate(), path: path) }
        let k = try KeyStore.load(path: path)
        if let seq = try log.highestSeq(k.author.text) {
            throw CLIError(
                "\(path) already signs events in this dataset (up to seq \(seq), on another node); one key per node, or the chains fork: "
                    + "run clone without --key to get a device key for this node")
        }
        let member = try log.members().first { $0.key == k.author.text && $0.validThroughSeq == nil }
        var text = "this node signs with \(k.author.text) (key file \(path))"
        if member == nil {
            text += "; it is not a member yet: an admin runs\n  accord grant \(k.author.text) --role editor --name NAME"
        }
        return text
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
            let state =
                p.failures > 0 ? "FAILING (\(p.failures) in a row, last attempt \(p.lastAttempt ?? "-"))" : "ok at \(p.lastAttempt ?? "-")"
            print("\(p.url)  \(state), last success \(p.lastSuccess ?? "never")\n    \(p.lastResult ?? "")")
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
