public import AccordCore
public import AccordStore
import AccordSync
public import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
public import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// How a node serves: address, peers to sync with, and how often.
public struct NodeConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var peers: [String]
    public var syncEvery: Duration
    /// The only dataset an empty node adopts from its peers (nil: whichever its peers hold).
    public var dataset: String?
    /// PEM files of the server's certificate chain and private key: serve HTTPS.
    public var tls: (certificate: String, key: String)?
    /// A connection with nothing to read or write for this long is closed.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// Host names (besides IP literals and localhost) the web UI's edit form answers to.
    public var allowedHosts: [String] = []
    /// Most events one group commit of API edits takes (1: every edit commits alone).
    public var maxGroupEvents = 4096
    /// The door's budget: connection caps, the request-head deadline, the minimum body rate.
    public var door = DoorLimits()
    /// The node's key: it signs this node's transparency-log checkpoints (none without it).
    public var nodeKey: SigningKey?
    /// A new checkpoint is signed when the tree has grown and at least this long has passed.
    public var checkpointInterval: Duration = .seconds(1)
    /// The witnesses this node names (cosignature keys): their cosignatures of its checkpoints
    /// are kept and served, and `witnessQuorum` of them are required on its peers' checkpoints
    /// (and awaited before it signs its next), made within `maxCheckpointAge`.
    public var witnesses: [NoteVerifier] = []
    public var witnessQuorum = 0
    public var maxCheckpointAge: TimeInterval = 3600
    /// What this node requires on its peers' checkpoints (nil: no witnesses required).
    var witnessPolicy: WitnessPolicy? {
        witnessQuorum > 0 ? WitnessPolicy(witnesses: witnesses, quorum: witnessQuorum, maxAge: maxCheckpointAge) : nil
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, peers: [String] = [], syncEvery: Duration = .seconds(30), dataset: String? = nil
    ) {
        self.host = host
        self.port = port
        self.peers = peers
        self.syncEvery = syncEvery
        self.dataset = dataset
    }
}

/// The Hummingbird application of a node: JSON API, sync endpoints, web UI, metrics,
/// health, and the background sync with its peers.
public enum NodeServer {
    public typealias Context = BasicRequestContext

    /// - Parameters:
    ///   - onRunning: called with the bound port once the server listens.
    public static func application(
        log: EventLog, configuration: NodeConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let metrics = Metrics()
        let router = Router(context: Context.self, options: .autoGenerateHeadEndpoints)
        // Hummingbird's middlewares: a log line per request, and request counts and durations
        // (by route, method and status) through swift-metrics into the Prometheus registry.
        router.middlewares.add(LogRequestsMiddleware(.info))
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(PageMiddleware(logger: logger))
        let routes = NodeRoutes(router)
        router.middlewares.add(MethodNotAllowedMiddleware(table: routes.table))
        var node = NodeHandlers(log: log, metrics: metrics, logger: logger, maxGroupEvents: configuration.maxGroupEvents)
        node.allowedHosts = Set(configuration.allowedHosts.map { $0.lowercased() })
        node.tls = configuration.tls != nil
        node.nodeKey = configuration.nodeKey
        let interval = configuration.checkpointInterval.components
        node.checkpointInterval = Double(interval.seconds) + Double(interval.attoseconds) / 1e18
        node.witnesses = configuration.witnesses
        if configuration.witnessQuorum > 0 {
            node.witnessWait = EventLog.CosignatureWait(
                witnesses: Set(configuration.witnesses.map(\.name)), quorum: configuration.witnessQuorum)
        }
        // One route collection per concern (NodeHandlers+*.swift), added through the table.
        routes.addRoutes(node.healthRoutes)
        routes.addRoutes(node.syncRoutes)
        routes.addRoutes(node.apiRoutes, atPath: "api/v1")
        routes.addRoutes(node.eventsRoutes)
        routes.addRoutes(node.draftsRoutes)
        routes.addRoutes(node.eventPageRoutes)
        routes.addRoutes(node.webUIRoutes)
        routes.addRoutes(node.logRoutes)
        routes.addRoutes(node.auditRoutes)
        routes.addRoutes(node.witnessRoutes)
        var services: [any Service] = [CheckpointService(log: log, logger: logger)]
        if let key = configuration.nodeKey {
            services.append(
                TreeHeadService(log: log, key: key, interval: configuration.checkpointInterval, awaiting: node.witnessWait, logger: logger))
        }
        if !configuration.peers.isEmpty {
            services.append(
                PeerSyncService(
                    log: log, peers: Self.unique(configuration.peers), interval: configuration.syncEvery, dataset: configuration.dataset,
                    logger: logger, metrics: metrics, witnessKey: configuration.nodeKey, policy: configuration.witnessPolicy))
        }
        let ledger = ConnectionLedger(limits: configuration.door, descriptorLimit: Descriptors.raiseSoftLimit())
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(additionalChannelHandlers: [ConnectionGuard(ledger: ledger)], idleTimeout: configuration.idleTimeout))
        var server = http1
        if let tls = configuration.tls {
            let chain: [NIOSSLCertificate]
            let key: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(tls.certificate)
                key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            } catch {
                throw TLSFilesError(
                    "cannot read the TLS certificate \(tls.certificate) or key \(tls.key) as PEM (\(error)); make them with your CA or e.g. `openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=HOST`"
                )
            }
            server = try .tls(
                http1,
                tlsConfiguration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "accord"),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}

/// The TLS files a node was given cannot be used.
public struct TLSFilesError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// A counting gate: `enter` fails instead of waiting when `limit` holders are in.
final class Gate: Sendable {
    private let inside = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func enter() -> Bool {
        inside.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    /// Enters, or throws 429 with `Retry-After: 1` when the gate is full.
    func enterOrRefuse(_ title: String, _ detail: String) throws {
        guard enter() else {
            var headers = HTTPFields()
            headers[.retryAfter] = "1"
            throw Problem(.tooManyRequests, title, detail, headers: headers)
        }
    }

    func leave() { inside.withLock { $0 -= 1 } }
}

extension NodeServer {
    /// The peers in the order given, each once.
    static func unique(_ peers: [String]) -> [String] {
        var seen = Set<String>()
        return peers.filter { seen.insert($0).inserted }
    }

    /// A start-up failure said for people (nil when there is nothing better to say than the error).
    public static func describeStartupError(_ error: any Error, host: String, port: Int) -> String? {
        if let e = error as? IOError {
            switch e.errnoCode {
            case EADDRINUSE:
                return "port \(port) on \(host) is already in use: stop the process using it or pass --port N (--port 0 picks a free port)"
            case EACCES:
                return "not allowed to listen on port \(port) of \(host): use a port above 1023 or run with the needed privileges"
            case EADDRNOTAVAIL:
                return "\(host) is not an address of this machine: pass --host 127.0.0.1 or one of its addresses"
            default: break
            }
        }
        return nil
    }
}

/// The request handlers, over one node's log.
struct NodeHandlers: Sendable {
    typealias Context = NodeServer.Context
    let log: EventLog
    let metrics: Metrics
    let logger: Logger
    /// Pushes run at most this many at a time; more get 429 with Retry-After.
    let pushes = Gate(limit: 2)
    /// Edit requests in flight at most (each body at most `maxEditBytes`): memory stays bounded.
    let edits = Gate(limit: 64)
    /// API edits, and anything else that writes a few events for a waiting client, commit together.
    let group: GroupCommit
    /// Host names, besides IP literals and localhost, the web UI's edit form answers to.
    var allowedHosts: Set<String> = []
    /// Whether the node serves HTTPS (the scheme its own pages' Origin carries).
    var tls = false
    /// The key that signs this node's checkpoints, and how often at most.
    var nodeKey: SigningKey?
    var checkpointInterval: TimeInterval = 1
    var witnesses: [NoteVerifier] = []
    var witnessWait: EventLog.CosignatureWait?

    var curation: Curation { Curation(log: log) }

    init(log: EventLog, metrics: Metrics, logger: Logger, maxGroupEvents: Int = 4096) {
        self.log = log
        self.metrics = metrics
        self.logger = logger
        group = GroupCommit(log: log, maxGroupEvents: maxGroupEvents)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response { json(value.canonicalString, status: status) }

    static func json<T: Encodable>(encoding value: T) throws -> Response {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(String(decoding: try enc.encode(value), as: UTF8.self))
    }

    /// Runs blocking store work off the cooperative pool (on `BlockingWork`'s threads),
    /// turning the library's typed errors into problems.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await BlockingWork.run(work)
        } catch {
            throw Problem(translating: error) ?? error
        }
    }

    /// `/health`: whether the node answers, its dataset and event count.
    var healthRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.get("/health") { _, _ -> Response in
            let (dataset, events) = try await blocking { [log] in (try log.datasetID(), try log.eventCount()) }
            return Self.json(["status": "ok", "dataset": dataset.map { .string($0) } ?? .null, "events": .int(events)])
        }
        router.get("/metrics") { _, _ -> Response in
            let (events, evidence) = try await blocking { [log] in (try log.eventCount(), try log.openEvidence().count) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers,
                body: .init(
                    byteBuffer: ByteBuffer(string: metrics.render(events: events, evidence: evidence, groupCommits: group.statistics))))
        }
        return router
    }
}

/// The process's open-file limit.
enum Descriptors {
    /// Raises the soft limit on open files to the hard one (as Go's runtime does) and
    /// returns it: the connection cap stays below it.
    static func raiseSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
