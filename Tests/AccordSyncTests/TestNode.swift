import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A real node for tests: its own SQLite file and a Hummingbird server on an ephemeral
/// loopback port.
final class TestNode: @unchecked Sendable {
    let dir: String
    let log: EventLog
    let key: SigningKey
    private(set) var url = ""
    private var task: Task<Void, any Error>?
    private var services: ServiceGroup?

    var curation: Curation { Curation(log: log) }

    init(name: String, dir: String, key: SigningKey) throws {
        self.dir = dir
        self.key = key
        log = try EventLog(path: dir + "/\(name).db", projectors: [CurationProjector()])
    }

    static let quiet: Logger = {
        var l = Logger(label: "test-node")
        l.logLevel = .error
        return l
    }()

    func start() async throws {
        let (stream, cont) = AsyncStream.makeStream(of: Int.self)
        let app = try NodeServer.application(
            log: log, configuration: NodeConfiguration(host: "127.0.0.1", port: 0), logger: Self.quiet,
            onRunning: { port in cont.yield(port) })
        // Stopped by a graceful shutdown, which the server does not log as an error.
        let services = ServiceGroup(services: [app], logger: Self.quiet)
        self.services = services
        task = Task { try await services.run() }
        for await port in stream {
            url = "http://127.0.0.1:\(port)"
            break
        }
    }

    func stop() async {
        await services?.triggerGracefulShutdown()
        _ = await task?.result
        task = nil
        services = nil
    }

    func sync(with other: TestNode, http: HTTPClient) async throws -> SyncReport {
        try await SyncSession(log: log, peer: other.url, http: http).sync()
    }

    func lines() throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try log.forEachChunk { out += $0.map(\.wireLine) }
        return out
    }
}

/// A temporary directory removed on release.
final class TempDir: @unchecked Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "accord-sync-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum Seed {
    static var records: [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Events/seed/resolutions.json")
        return [UInt8](FileManager.default.contents(atPath: url.path)!)
    }

    /// A hub with a seeded dataset whose genesis `key` signed.
    static func hub(_ dir: TempDir, key: SigningKey, curators: [SigningKey] = []) throws -> TestNode {
        let hub = try TestNode(name: "hub", dir: dir.path, key: key)
        _ = try hub.log.author(
            [.genesis(name: "test")] + curators.map { AuthorizationEvent.granted(key: $0.author, role: .editor, name: "curator").draft },
            key: key)
        _ = try hub.curation.importRecords(records, csv: false, key: key)
        return hub
    }
}
