import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// The sync workloads: a real server on a loopback port, and a client node.
extension Bench {
    static var quietLogger: Logger {
        var l = Logger(label: "bench")
        l.logLevel = .critical
        return l
    }

    /// Serves `log` on an ephemeral loopback port for the duration of `body`.
    func serving<T>(_ log: EventLog, maxGroupEvents: Int = 4096, _ body: (String) async throws -> T) async throws -> T {
        let (stream, cont) = AsyncStream.makeStream(of: Int.self)
        var configuration = NodeConfiguration(host: "127.0.0.1", port: 0)
        configuration.maxGroupEvents = maxGroupEvents
        let app = try NodeServer.application(
            log: log, configuration: configuration, logger: Self.quietLogger,
            onRunning: { cont.yield($0) })
        let services = ServiceGroup(services: [app], logger: Self.quietLogger)
        let task = Task { try await services.run() }
        var url = ""
        for await port in stream {
            url = "http://127.0.0.1:\(port)"
            break
        }
        do {
            let result = try await body(url)
            await services.triggerGracefulShutdown()
            _ = await task.result
            return result
        } catch {
            await services.triggerGracefulShutdown()
            _ = await task.result
            throw error
        }
    }

    /// A source node with `n` events by two authors (the genesis admin grants the second).
    func sourceLog(_ name: String, events n: Int) throws -> EventLog {
        let log = try freshLog(name)
        _ = try log.author(
            [.genesis(name: "bench"), AuthorizationEvent.granted(key: other.author, role: .editor, name: "other").draft], key: author)
        var k = 0
        while k < n {
            let m = min(10_000, n - k)
            _ = try log.author((k..<k + m).map(draft), key: other)
            k += m
        }
        return log
    }

    func runSync(_ workload: String) async throws -> Result {
        let http = SyncSession.makeClient()
        defer { Task { try? await http.shutdown() } }
        switch workload {
        case "clone":
            let source = try sourceLog("clone-source", events: events)
            let sizes = try lineSizes(source)
            let target = try freshLog("clone-target")
            var report = SyncReport(peer: "")
            let t = try await serving(source) { url in
                try await Self.timeAsync { report = try await SyncSession(log: target, peer: url, http: http).sync(push: false) }
            }
            let (got, want) = (try target.eventCount(), try source.eventCount())
            precondition(got == want, "clone got \(got) of \(want) events")
            var extra: [String: JSONValue] = [
                "roundTrips": .int(report.roundTrips), "bytesReceived": .int(report.bytesReceived),
                "wireBytesPerEvent": .number((Double(report.bytesReceived) / Double(report.eventsReceived) * 10).rounded() / 10),
                "eventBytesPerEvent": .number((sizes * 10).rounded() / 10),
            ]
            if let ingest = ingestResult { extra["ingestEventsPerSecond"] = .number(ingest.eventsPerSecond.rounded()) }
            return Result(workload: workload, events: report.eventsReceived, seconds: t, extra: extra)
        case "sync-diverged":
            let a = try sourceLog("diverged-a", events: 1000)
            let b = try freshLog("diverged-b")
            _ = try b.ingest(lines: allLines(a))
            _ = try a.author((0..<1000).map(draft), key: other)
            let third = SigningKey.fixed("bench-third")
            _ = try a.author([AuthorizationEvent.granted(key: third.author, role: .editor, name: "third").draft], key: author)
            _ = try b.ingest(lines: Array(allLines(a).suffix(1)))
            // b now lacks a's 1000 new events; b signs 1000 of its own.
            _ = try b.author((0..<1000).map(draft), key: third)
            var report = SyncReport(peer: "")
            let t = try await serving(a) { url in
                try await Self.timeAsync { report = try await SyncSession(log: b, peer: url, http: http).sync() }
            }
            precondition(report.eventsReceived == 1000 && report.eventsSent == 1000, "\(report)")
            return Result(
                workload: workload, events: report.eventsReceived + report.eventsSent, seconds: t,
                extra: [
                    "roundTrips": .int(report.roundTrips), "bytesSent": .int(report.bytesSent), "bytesReceived": .int(report.bytesReceived),
                ])
        default:  // sync-in-sync
            var extra: [String: JSONValue] = [:]
            var total = 0.0
            for n in [1000, events] {
                let a = try sourceLog("insync-a-\(n)", events: n)
                let b = try freshLog("insync-b-\(n)")
                _ = try b.ingest(lines: allLines(a))
                var report = SyncReport(peer: "")
                let t = try await serving(a) { url in
                    try await Self.timeAsync { report = try await SyncSession(log: b, peer: url, http: http).sync() }
                }
                precondition(report.eventsReceived == 0 && report.eventsSent == 0)
                total += t
                extra["at\(n)"] = [
                    "roundTrips": .int(report.roundTrips), "bytesSent": .int(report.bytesSent), "bytesReceived": .int(report.bytesReceived),
                    "seconds": .number((t * 10000).rounded() / 10000),
                ]
            }
            return Result(workload: workload, events: 0, seconds: total, extra: extra)
        }
    }

    func allLines(_ log: EventLog) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try log.forEachChunk { out += $0.map(\.wireLine) }
        return out
    }

    func lineSizes(_ log: EventLog) throws -> Double {
        var total = 0
        var n = 0
        try log.forEachChunk { chunk in
            for e in chunk {
                total += e.wireLine.count
                n += 1
            }
        }
        return Double(total) / Double(max(1, n))
    }

    static func timeAsync(_ f: () async throws -> Void) async rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try await f()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// Peak resident memory of an `accord clone` child process cloning `rssEvents` events.
    func cloneRSS() async throws -> Result {
        try await cloneRSS(source: try sourceLog("rss-source", events: rssEvents), workload: "clone-rss")
    }

    /// The same for `rssEvents` curation events (CurationLogGenerator), ingested into the source first (not timed).
    func curationCloneRSS() async throws -> Result {
        var g = CurationLogGenerator(seed: 99, admin: author, editors: editors)
        let source = try freshLog("curation-rss-source")
        let lines = g.log(events: rssEvents, records: max(1, rssEvents / 10)).map(\.wireLine)
        try Self.ingestAll(lines, into: source)
        return try await cloneRSS(source: source, workload: "curation-clone-rss", goalMiB: 200)
    }

    func cloneRSS(source: EventLog, workload: String, goalMiB: Double? = nil) async throws -> Result {
        let target = dir + "/\(workload)-target.db"
        var seconds = 0.0
        var status: Int32 = -1
        var peakKB = 0
        try await serving(source) { url in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            p.arguments = ["clone", url, "--db", target]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            seconds = try await Self.timeAsync {
                try p.run()
                // Poll the child's high-water mark while it runs (VmHWM is in kB).
                while p.isRunning {
                    if let kb = Self.statusKB(pid: p.processIdentifier, "VmHWM") { peakKB = max(peakKB, kb) }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            status = p.terminationStatus
        }
        precondition(status == 0, "accord clone exited \(status)")
        var extra: [String: JSONValue] = ["peakRSSMiB": .number((Double(peakKB) / 1024 * 10).rounded() / 10)]
        if let goalMiB { extra["goalPeakRSSMiB"] = .number(goalMiB) }
        return Result(workload: workload, events: try source.eventCount(), seconds: seconds, extra: extra)
    }
}
