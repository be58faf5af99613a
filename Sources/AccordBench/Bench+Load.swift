import AccordCore
import AccordStore
import AccordSync
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `load`: one `accord serve` process on loopback under a realistic mix for a bounded time
/// (`--load-seconds`, a soak when long): 16 readers (record 60 %, search 25 %, history
/// 15 %), 8 curators saving edits through the API, and 3 replicas pulling every second.
/// Reports requests/s, p50/p99 per kind, errors, and the server's RSS over time.
extension Bench {
    func load() async throws -> Result {
        // The node: the curation dataset of `events` events plus 8 curators, served by a child process.
        let path = dir + "/load.db"
        let node = try EventLog(path: path, projectors: EventLog.standardProjectors, durable: true)
        let lines = curationLines()
        try Self.ingestAll(lines, into: node)
        let curators = (0..<8).map { SigningKey.fixed("load-curator-\($0)") }
        try Curation(log: node).authorize(
            curators.enumerated().map { .granted(key: $1.author, role: .editor, name: "Curator \($0)") }, key: author)
        let symbols = try Curation(log: node).symbols()
        let dataset = try node.datasetID()!
        FileManager.default.createFile(
            atPath: dir + "/load.key", contents: Data(author.fileContents.utf8), attributes: [.posixPermissions: 0o600])
        // The bulk load's WAL is folded in first: the served node starts as a node that has
        // run for a while, not with a checkpoint of the whole dataset due at its first edit.
        try node.checkpoint()

        // The replicas hold the dataset before the clock starts (as running replicas would):
        // each second they pull what the curators added.
        let replicas = try (0..<3).map { try freshLog("load-replica-\($0)") }
        for replica in replicas {
            try Self.ingestAll(try allLines(node), into: replica)
        }

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        server.arguments = ["serve", "--db", path, "--key", dir + "/load.key", "--port", "0"]
        // The request log goes to a file: a pipe this process drains late would block the
        // server's logging, and with it every request.
        let logPath = dir + "/load-serve.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        var url = ""
        for _ in 0..<600 {
            let head = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let r = head.range(of: "url=http") {
                url = "http" + head[r.upperBound...].prefix { !$0.isWhitespace }
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !url.isEmpty else { throw BenchError("bench load: accord serve did not start") }
        let served = url

        var config = HTTPClient.Configuration()
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        config.timeout = .init(connect: .seconds(5), read: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        defer { Task { try? await http.shutdown() } }
        let book = KindBook()
        let words = ["terrorism", "cooperation", "INTERPOL", "cybercrime", "border", "foreign", "police", "sanctions", "travel", "data"]
        let serverPID = server.processIdentifier
        let deadline = ContinuousClock.now + .seconds(loadSeconds)
        let t = try await Self.timeAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for r in 0..<16 {
                    group.addTask {
                        var rng = SplitMix64(state: UInt64(r + 1))
                        while ContinuousClock.now < deadline {
                            let pick = rng.int(100)
                            let symbol = symbols[Int(Double(symbols.count) * pow(Double(rng.int(1_000_000)) / 1e6, 3))]
                            let s = symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                            let (kind, path) =
                                pick < 60
                                ? ("record", "/api/v1/record?symbol=\(s)")
                                : pick < 85
                                    ? ("search", "/api/v1/search?q=\(words[rng.int(words.count)])")
                                    : ("history", "/api/v1/history?symbol=\(s)")
                            await book.time(kind) {
                                let response = try await http.execute(HTTPClientRequest(url: served + path), timeout: .seconds(60))
                                _ = try await response.body.collect(upTo: 16 << 20)
                                return response.status == .ok
                            }
                        }
                    }
                }
                for (k, key) in curators.enumerated() {
                    group.addTask {
                        var chain = ChainSigner(key: key, dataset: dataset)
                        var last: [String: String] = [:]
                        var n = 0
                        while ContinuousClock.now < deadline {
                            n += 1
                            let symbol = symbols[(k * 997 + n * 31) % symbols.count]
                            let e = chain.sign(
                                DomainEvent.fieldSet(
                                    try ResolutionSymbol(parsing: symbol), field: .notes,
                                    value: .string("Curator \(k) checked this against the adopted text (\(n))."),
                                    base: last[symbol].map { [$0] } ?? []
                                ).draft)
                            let ok = await Self.postEdit(e, to: served, http: http, book: book)
                            if ok { last[symbol] = e.id }
                        }
                    }
                }
                for replica in replicas {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            await book.time("sync-pull") {
                                _ = try await SyncSession(log: replica, peer: served, http: http).sync(push: false)
                                return true
                            }
                            try await Task.sleep(for: .seconds(1))
                        }
                    }
                }
                group.addTask {
                    while ContinuousClock.now < deadline {
                        if let kb = Self.statusKB(pid: serverPID, "VmRSS") { book.sample(rssMiB: Double(kb) / 1024) }
                        try await Task.sleep(for: .seconds(5))
                    }
                }
                try await group.waitForAll()
            }
        }

        // The replicas end where the hub is (edits stopped): one more pull each.
        for replica in replicas { _ = try await SyncSession(log: replica, peer: url, http: http).sync(push: false) }
        let hubDigest = try Curation(log: node).digest()
        let converged = try replicas.allSatisfy { try Curation(log: $0).digest() == hubDigest }
        var extra: [String: JSONValue] = [
            "unit": "requests", "seconds": .number(Double(loadSeconds)), "errors": .int(book.errors),
            "replicasConverged": .bool(converged),
            "rssMiB": .array(book.rss.map { .number(($0 * 10).rounded() / 10) }),
        ]
        var kinds: [String: JSONValue] = [:]
        for (kind, values) in book.latencies {
            let sorted = values.sorted()
            func pct(_ p: Double) -> Double { Self.percentile(sorted, p) }
            kinds[kind] = [
                "count": .int(sorted.count), "perSecond": .number((Double(sorted.count) / t).rounded()), "p50ms": .number(pct(0.5)),
                "p99ms": .number(pct(0.99)),
            ]
        }
        extra["kinds"] = .object(kinds)
        return Result(workload: "load", events: book.latencies.values.map(\.count).reduce(0, +), seconds: t, extra: extra)
    }

    /// The `percentile` (0 – 1) of `sorted` (ascending, not empty), to 0.01.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        (sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 100).rounded() / 100
    }

    /// A kB figure of a process's `/proc/PID/status` (`VmRSS`, `VmHWM`).
    static func statusKB(pid: Int32, _ field: String) -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "")
    }

    /// Latencies by request kind, errors, and RSS samples, from many tasks.
    /// Posts one signed edit to a node's edit endpoint, timed as an "edit"; whether it was accepted.
    static func postEdit(_ e: SignedEvent, to url: String, http: HTTPClient, book: KindBook) async -> Bool {
        var request = HTTPClientRequest(url: url + "/api/v1/events")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-ndjson")
        request.body = .bytes(ByteBuffer(bytes: e.wireLine + [0x0A]))
        return await book.time("edit") {
            let response = try await http.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
            return response.status == .ok
        }
    }

    final class KindBook: Sendable {
        private struct State {
            var all: [String: [Double]] = [:]
            var failed = 0
            var samples: [Double] = []
        }
        private let state = Mutex(State())

        /// Times `request`; a false result or a thrown error counts as an error.
        @discardableResult
        func time(_ kind: String, _ request: () async throws -> Bool) async -> Bool {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let ok = (try? await request()) ?? false
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            state.withLock { s in
                s.all[kind, default: []].append(ms)
                if !ok { s.failed += 1 }
            }
            return ok
        }

        func sample(rssMiB: Double) { state.withLock { $0.samples.append(rssMiB) } }
        var latencies: [String: [Double]] { state.withLock { $0.all } }
        var errors: Int { state.withLock { $0.failed } }
        var rss: [Double] { state.withLock { $0.samples } }
    }
}
