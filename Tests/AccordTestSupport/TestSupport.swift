import AccordCore
import AccordServer
public import AccordStore
import AccordSync
public import AsyncHTTPClient
public import Foundation
public import Logging
import ServiceLifecycle
import Synchronization

/// A temporary directory, removed when the value is released.
public final class TempDir: Sendable {
    public let path: String

    public init() {
        path = NSTemporaryDirectory() + "accord-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { path + "/" + name }
}

/// Files of the repository the tests read.
public enum Repository {
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The seed records (Events/seed/resolutions.json).
    public static var seedRecords: [UInt8] {
        [UInt8](FileManager.default.contents(atPath: root.appendingPathComponent("Events/seed/resolutions.json").path)!)
    }
}

/// A node's Hummingbird application on an ephemeral loopback port, stopped by a graceful
/// shutdown (which the server does not log as an error).
public final class TestServer: @unchecked Sendable {
    public let log: EventLog
    public private(set) var url = ""
    private var task: Task<Void, any Error>?
    private var services: ServiceGroup?

    public static let quiet: Logger = {
        var l = Logger(label: "test-node")
        l.logLevel = .error
        return l
    }()

    public init(log: EventLog) { self.log = log }

    /// Starts serving; returns once the server listens (its URL in `url`).
    public func start(peers: [String] = []) async throws {
        let (stream, cont) = AsyncStream.makeStream(of: Int.self)
        let app = try NodeServer.application(
            log: log, configuration: NodeConfiguration(host: "127.0.0.1", port: 0, peers: peers), logger: Self.quiet,
            onRunning: { port in cont.yield(port) })
        let services = ServiceGroup(services: [app], logger: Self.quiet)
        self.services = services
        task = Task { try await services.run() }
        for await port in stream {
            url = "http://127.0.0.1:\(port)"
            break
        }
    }

    public func stop() async {
        await services?.triggerGracefulShutdown()
        _ = await task?.result
        task = nil
        services = nil
    }

    deinit { task?.cancel() }
}

/// Runs `body` with the sync client and shuts the client down afterwards, also when `body`
/// throws (a client released without shutdown traps in debug builds, which would end the
/// whole test run instead of failing one test).
public func withSyncClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let http = SyncSession.makeClient()
    let result: T
    do {
        result = try await body(http)
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
    return result
}

/// Waits until `condition` holds, polling, for at most `seconds` of polling; returns whether
/// it held. Tests wait on what they assert, never for a fixed time.
///
/// The time counted is the polling's own, each pause at most a quarter of a second: when the
/// test process is starved (the suite runs every test at once on two cores, and long
/// synchronous tests hold the task pool's threads), a pause that lasts longer counts only as
/// long as that, so the work awaited gets its `seconds` of the process's time before the wait
/// gives up. The number of polls stays bounded (each counts at least its 50 ms).
public func eventually(within seconds: Double = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    var waited = 0.0
    while true {
        if try await condition() { return true }
        if waited > seconds { return false }
        let start = Date()
        try? await Task.sleep(for: .milliseconds(50))
        waited += min(max(Date().timeIntervalSince(start), 0.05), 0.25)
    }
}

/// The same for synchronous tests (a thread may block meanwhile).
public func eventuallySync(within seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
    var waited = 0.0
    while true {
        if try condition() { return true }
        if waited > seconds { return false }
        let start = Date()
        Thread.sleep(forTimeInterval: 0.01)
        waited += min(max(Date().timeIntervalSince(start), 0.01), 0.25)
    }
}
