import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AccordTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A real node for tests: its own SQLite file and a Hummingbird server on an ephemeral
/// loopback port (`TestServer`).
final class TestNode: @unchecked Sendable {
    let dir: String
    let log: EventLog
    let key: SigningKey
    private let server: TestServer
    var url: String { server.url }

    var curation: Curation { Curation(log: log) }

    init(name: String, dir: String, key: SigningKey) throws {
        self.dir = dir
        self.key = key
        log = try EventLog(path: dir + "/\(name).db")
        server = TestServer(log: log)
    }

    func start() async throws { try await server.start() }

    func stop() async { await server.stop() }

    func sync(with other: TestNode, http: HTTPClient, push: Bool = true) async throws -> SyncReport {
        try await SyncSession(log: log, peer: other.url, http: http).sync(push: push)
    }

    func lines() throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try log.forEachChunk { out += $0.map(\.wireLine) }
        return out
    }
}

enum Seed {
    static var records: [UInt8] { Repository.seedRecords }

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
