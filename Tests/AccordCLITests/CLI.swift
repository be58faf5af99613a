import Foundation
import Subprocess
import Synchronization
import Testing

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs the built `accord` binary, as a user would.
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: String {
        if let p = ProcessInfo.processInfo.environment["ACCORD_BIN"] { return p }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent(), beside.deletingLastPathComponent().deletingLastPathComponent()] {
            let p = dir.appendingPathComponent("accord").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/accord").path
    }

    let dir: String
    var env: [String: String]

    init() {
        dir = NSTemporaryDirectory() + "accord-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var e = ProcessInfo.processInfo.environment
        e["XDG_CONFIG_HOME"] = dir + "/config"
        e["ACCORD_KEY"] = nil
        e["ACCORD_DB"] = nil
        env = e
    }

    func path(_ name: String) -> String { dir + "/" + name }

    /// Runs a scenario that blocks for seconds (processes, sockets, a browser) on a thread of
    /// its own, not the task pool's, and returns the problems it found.
    static func onOwnThread(_ scenario: @escaping @Sendable () throws -> [String]) async throws -> [String] {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<[String], any Error>) in
            Thread { cont.resume(with: Swift.Result { try scenario() }) }.start()
        }
    }

    /// Runs `accord ARGS` (swift-subprocess: the test's task suspends, no thread waits).
    /// At most two `accord` commands run at once across every test. The tests no longer
    /// block a thread while a command runs, so without a bound dozens of commands would
    /// compete for this machine's two cores with the in-process nodes that other suites
    /// time (sync timeouts came from exactly that).
    static let permits = RunPermits(2)

    @discardableResult
    func run(_ args: [String], stdin: [UInt8]? = nil) async throws -> Result {
        await Self.permits.acquire()
        do {
            let result = try await runNow(args, stdin: stdin)
            await Self.permits.release()
            return result
        } catch {
            await Self.permits.release()
            throw error
        }
    }

    private func runNow(_ args: [String], stdin: [UInt8]?) async throws -> Result {
        let r = try await Subprocess.run(
            .path(FilePath(CLI.binary)), arguments: Arguments(args),
            // (Not the raw-bytes form: it strdup()s each entry, so entries need their own NUL.)
            environment: .custom(Dictionary(uniqueKeysWithValues: env.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
            workingDirectory: FilePath(dir), input: .array(stdin ?? []),
            output: .string(limit: 256 << 20), error: .string(limit: 16 << 20))
        let status: Int32
        switch r.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return Result(status: status, stdout: r.standardOutput, stderr: r.standardError)
    }

    func ok(_ args: [String], stdin: [UInt8]? = nil) async throws -> String {
        let r = try await run(args, stdin: stdin)
        #expect(r.status == 0, "accord \(args.joined(separator: " ")) failed: \(r.stderr)")
        return r.stdout
    }

    /// The same for code on a thread of its own (the browser and crash scenarios, which
    /// block on a browser and on killed processes): that thread waits, not the task pool.
    /// Never call it from async code: it would block a thread of the pool the run needs.
    func runBlocking(_ args: [String], stdin: [UInt8]? = nil) throws -> Result {
        let outcome = Mutex<Swift.Result<Result, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let r = try await run(args, stdin: stdin)
                outcome.withLock { $0 = .success(r) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

/// A value behind a lock, shared with a test's own threads.
final class Mutexed<T: Sendable>: Sendable {
    private let stored: Mutex<T>
    init(_ v: T) { stored = Mutex(v) }
    func mutate(_ f: (inout T) -> Void) { stored.withLock { f(&$0) } }
    var value: T { stored.withLock { $0 } }
}

/// A counting semaphore for tasks: `acquire` suspends while every permit is taken.
actor RunPermits {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ permits: Int) { available = permits }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
