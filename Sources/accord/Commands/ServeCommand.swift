import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node: web UI, JSON API and sync endpoints; syncs with --peer nodes in the background.",
        discussion: """
            On an empty database it creates the node's key (if none is configured) and either seeds a new dataset \
            from the seed records built into accord or, with --peer, joins the peers' dataset on the first sync. Stops gracefully on SIGINT/SIGTERM.
            """)
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions
    @Option(name: .long) var host: String = "127.0.0.1"
    @Option(name: .long, help: "Port (0: any free port; the bound port is logged).") var port: Int = 8080
    @Option(name: .long, help: "A peer node to sync with (repeatable).") var peer: [String] = []
    @Option(name: .long, help: "Interval between background syncs.") var syncEvery: String = "30s"
    @Option(name: .long, help: "Least time between two checkpoints this node signs of its transparency log (its tree has grown).")
    var checkpointEvery: String = "1s"
    @OptionGroup var witnesses: WitnessOptions
    @Option(name: .long, help: "Seed a new dataset from this records file instead of the built-in records.") var seedFile: String?
    @Option(name: .long, help: "On an empty database without --peer: your name as the new dataset's creator.") var creator: String?
    @Option(name: .long, help: "With --peer on an empty database: the only dataset id to adopt from the peers.")
    var dataset: String?
    @Option(name: .long, help: "A host name browsers may edit through, besides IP addresses and localhost (repeatable).")
    var allowedHost: [String] = []
    @Option(name: .long, help: "Serve HTTPS: the certificate chain (PEM). Needs --tls-key.") var tlsCert: String?
    @Option(name: .long, help: "Serve HTTPS: the private key (PEM).") var tlsKey: String?
    @Option(name: .long, help: "Open connections at once (kept below the open-file limit).") var maxConnections = DoorLimits()
        .maxConnections
    @Option(name: .long, help: "Open connections at once from one client address.") var maxConnectionsPerClient = DoorLimits().maxPerClient
    @Option(name: .long, help: "Seconds a connection may wait for a whole request head (also the keep-alive time).")
    var headTimeout = 15
    @Option(name: .long, help: "Seconds a request body may take before --min-body-rate applies.") var bodyGrace = 15
    @Option(name: .long, help: "Slowest a request body may arrive after --body-grace, in KiB/s.") var minBodyRate = 16

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = SafeLogHandler(StreamLogHandler.standardError(label: label))
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
            let (records, source) = try NodeSetup.seedRecords(seedFile)
            let started = try Curation(log: log).createDataset(
                name: "UN resolutions highlighting INTERPOL's role", creator: creator, seed: records, key: signingKey)
            logger.info(
                "seeded a new dataset", metadata: ["records": .stringConvertible(started.seeded?.created ?? 0), "from": .string(source)])
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
        configuration.nodeKey = signingKey
        configuration.checkpointInterval = try parseDuration(checkpointEvery)
        _ = try witnesses.policy
        configuration.witnesses = try witnesses.verifiers
        configuration.witnessQuorum = witnesses.witnessQuorum
        configuration.maxCheckpointAge = try witnesses.maxAge
        guard maxConnections > 0, maxConnectionsPerClient > 0, headTimeout > 0, bodyGrace > 0, minBodyRate > 0 else {
            throw CLIError(
                "--max-connections, --max-connections-per-client, --head-timeout, --body-grace and --min-body-rate must be positive")
        }
        configuration.door = DoorLimits(
            maxConnections: maxConnections, maxPerClient: maxConnectionsPerClient, headTimeout: .seconds(headTimeout),
            bodyGrace: .seconds(bodyGrace), minBodyBytesPerSecond: minBodyRate * 1024)
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
