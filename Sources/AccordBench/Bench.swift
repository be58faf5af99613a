import AccordCore
import AccordStore
import Crypto
import Foundation
import GRDB

/// The benchmark workloads of `accord bench`, each measured against the machine's
/// limits taken in the same run.
public final class Bench {
    public static let workloads =
        ["author", "author-durable", "ingest", "verify", "clone", "sync-diverged", "sync-in-sync", "clone-rss"]
        + curationWorkloads + ["curation-clone-rss", "api-edits", "load", "refused-lines", "proofs", "audit-verify"]
    public var rssEvents = 1_000_000
    /// How long the `load` workload runs (a soak when long).
    public var loadSeconds = 30
    /// Results of this run so far, by workload (the baselines of later ratios).
    var done: [String: Result] = [:]
    var curationLog: [[UInt8]]?
    var curationNode: EventLog?

    public struct Limits {
        let cores: Int
        let signPerSecondOneCore: Double
        /// swift-crypto's verifier: the stack's reference limit (STACK-NOTES).
        let verifyPerSecondOneCore: Double
        /// libsodium's verifier, which the ingest pipeline uses.
        let verifyPerSecondOneCoreLibsodium: Double
        let sha256PerSecondOneCore: Double
        let sqliteInsertsPerSecond: Double

        var json: JSONValue {
            [
                "cores": .int(cores), "signPerSecondOneCore": .number(signPerSecondOneCore.rounded()),
                "verifyPerSecondOneCore": .number(verifyPerSecondOneCore.rounded()),
                "verifyPerSecondOneCoreLibsodium": .number(verifyPerSecondOneCoreLibsodium.rounded()),
                "sha256PerSecondOneCore": .number(sha256PerSecondOneCore.rounded()),
                "sqliteInsertsPerSecond": .number(sqliteInsertsPerSecond.rounded()),
            ]
        }

        public func best(with o: Limits) -> Limits {
            Limits(
                cores: cores, signPerSecondOneCore: max(signPerSecondOneCore, o.signPerSecondOneCore),
                verifyPerSecondOneCore: max(verifyPerSecondOneCore, o.verifyPerSecondOneCore),
                verifyPerSecondOneCoreLibsodium: max(verifyPerSecondOneCoreLibsodium, o.verifyPerSecondOneCoreLibsodium),
                sha256PerSecondOneCore: max(sha256PerSecondOneCore, o.sha256PerSecondOneCore),
                sqliteInsertsPerSecond: max(sqliteInsertsPerSecond, o.sqliteInsertsPerSecond))
        }

        public var table: String {
            """
            limits: cores \(cores), sign/s/core \(Int(signPerSecondOneCore)), verify/s/core \(Int(verifyPerSecondOneCore)) \
            (libsodium \(Int(verifyPerSecondOneCoreLibsodium))), \
            sha256/s/core \(Int(sha256PerSecondOneCore)), sqlite inserts/s \(Int(sqliteInsertsPerSecond))
            """
        }
    }

    public struct Result {
        let workload: String
        let events: Int
        let seconds: Double
        var extra: [String: JSONValue] = [:]
        var eventsPerSecond: Double { Double(events) / seconds }
        /// What `events` counts: events, or queries and requests for the read workloads.
        var unit: String { extra["unit"]?.stringValue ?? "events" }

        func ratio(_ limits: Limits) -> (String, Double)? {
            if let name = extra["baseline"]?.stringValue, let base = extra["baselinePerSecond"]?.doubleValue {
                return (name + " of this run", eventsPerSecond / base)
            }
            switch workload {
            case "author": return ("signPerSecondOneCore", eventsPerSecond / limits.signPerSecondOneCore)
            case "ingest", "verify", "audit-verify":
                return ("cores x verifyPerSecondOneCore", eventsPerSecond / (Double(limits.cores) * limits.verifyPerSecondOneCore))
            case "author-durable": return ("sqliteInsertsPerSecond", eventsPerSecond / limits.sqliteInsertsPerSecond)
            case "clone":
                guard let ingest = extra["ingestEventsPerSecond"]?.doubleValue else { return nil }
                return ("ingest events/s of this run", eventsPerSecond / ingest)
            default: return nil
            }
        }

        public func row(limits: Limits) -> String {
            var s =
                "\(workload.padding(toLength: 18, withPad: " ", startingAt: 0)) \(events) \(unit)  \(String(format: "%.3f", seconds)) s  \(Int(eventsPerSecond)) \(unit)/s"
            if let (name, r) = ratio(limits) {
                s += String(format: "  = %.0f%% of %@", r * 100, name)
                if let goal = extra["goal"]?.doubleValue {
                    s += String(format: " (goal %.0f%%: %@)", goal * 100, r >= goal ? "met" : "MISSED")
                }
            }
            for (k, v) in extra.sorted(by: { $0.key < $1.key })
            where [
                "records", "conflicts", "hits", "peakRSSMiB", "clients", "p50ms", "p99ms", "writersPerCommit", "ungroupedEventsPerSecond",
                "errors",
                "replicasConverged", "rssMiB", "healthPerSecond", "healthRatio", "strangerCPUMicrosPerLine",
                "member-next-seqCPUMicrosPerLine", "member-gapCPUMicrosPerLine", "memberToStrangerCPU",
            ]
            .contains(k) {
                s += "  \(k) \(v.canonicalString)"
            }
            for (kind, v) in (extra["kinds"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                s += "\n    \(kind): \(v["count"]?.canonicalString ?? "") requests, \(v["perSecond"]?.canonicalString ?? "")/s"
                s += ", p50 \(v["p50ms"]?.canonicalString ?? "") ms, p99 \(v["p99ms"]?.canonicalString ?? "") ms"
            }
            return s
        }

        func json(limits: Limits) -> JSONValue {
            var o = extra
            if workload == "ingest" || workload == "verify" {
                o["ratioToVerifierInUse"] = .number(
                    (eventsPerSecond / (Double(limits.cores) * limits.verifyPerSecondOneCoreLibsodium) * 1000).rounded() / 1000)
            }
            o["workload"] = .string(workload)
            o["events"] = .int(events)
            o["seconds"] = .number((seconds * 1000).rounded() / 1000)
            o["eventsPerSecond"] = .number(eventsPerSecond.rounded())
            if let (name, r) = ratio(limits) {
                o["ratio"] = .number((r * 1000).rounded() / 1000)
                o["ratioOf"] = .string(name)
            }
            return .object(o)
        }
    }

    let events: Int
    let dir: String
    let author = SigningKey.fixed("bench-author")
    let other = SigningKey.fixed("bench-other")

    public init(events: Int) throws {
        self.events = max(1, events)
        dir = NSTemporaryDirectory() + "accord-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    public func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }

    static func time(_ f: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try f()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// A typical envelope-sized message (about 330 bytes) for the crypto limits.
    func sampleEnvelope(_ i: Int) -> [UInt8] {
        UnsignedEvent(
            draft: draft(i), dataset: String(repeating: "a", count: 64), author: author.author, seq: i + 1,
            prev: String(repeating: "b", count: 64), time: HLCTime(millis: 1_700_000_000_000 + Int64(i))
        ).canonicalEnvelope
    }

    func draft(_ i: Int) -> EventDraft {
        EventDraft(
            type: "bench.note", subject: "A/RES/71/\(i % 500 + 1)",
            body: ["field": "notes", "value": .string("Benchmark note number \(i) on cooperation with INTERPOL.")])
    }

    public func measureLimits() -> Limits {
        let messages = (0..<2000).map(sampleEnvelope)
        let key = author.privateKey
        // Each crypto limit is the best of three rounds (noise on a shared machine only slows).
        var sigs: [Data] = []
        let signN = 8_000
        var signT = Double.infinity
        for _ in 0..<3 {
            sigs.removeAll(keepingCapacity: true)
            signT = min(signT, Self.time { for k in 0..<signN { sigs.append(try! key.signature(for: messages[k % messages.count])) } })
        }
        let pub = author.privateKey.publicKey
        let verifyN = 2_500
        /// The best of three timings of `verifyN` checks; every check must pass.
        func verifyTime(_ verify: (Int) -> Bool) -> Double {
            var best = Double.infinity
            for _ in 0..<3 {
                var ok = 0
                best = min(best, Self.time { for k in 0..<verifyN where verify(k) { ok += 1 } })
                precondition(ok == verifyN)
            }
            return best
        }
        let verifyT = verifyTime { k in pub.isValidSignature(sigs[k % sigs.count], for: messages[k % messages.count]) }
        let authorKey = author.author
        let sodiumT = verifyTime { k in authorKey.verify(signature: sigs[k % sigs.count], over: messages[k % messages.count]) }
        let block = [UInt8](repeating: 0x61, count: 500)
        let shaN = 500_000
        var acc: UInt8 = 0
        let shaT = Self.time {
            for _ in 0..<shaN { acc &+= SHA256.hash(data: block).withUnsafeBytes { $0[0] } }
        }
        _ = acc
        let insertN = 200_000
        let insertT: Double
        do {
            let q = try DatabaseQueue(path: dir + "/limits.db")
            try q.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
                try db.execute(sql: "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
            }
            let payload = Data(repeating: 0x62, count: 300)
            insertT = try Self.time {
                var k = 0
                while k < insertN {
                    try q.write { db in
                        let st = try db.cachedStatement(sql: "INSERT INTO t(v) VALUES (?)")
                        for _ in 0..<1000 { try st.execute(arguments: [payload]) }
                    }
                    k += 1000
                }
            }
        } catch {
            insertT = .infinity
        }
        return Limits(
            cores: Parallel.cores, signPerSecondOneCore: Double(signN) / signT,
            verifyPerSecondOneCore: Double(verifyN) / verifyT, verifyPerSecondOneCoreLibsodium: Double(verifyN) / sodiumT,
            sha256PerSecondOneCore: Double(shaN) / shaT,
            sqliteInsertsPerSecond: Double(insertN) / insertT)
    }

    func freshLog(_ name: String, durable: Bool = false) throws -> EventLog {
        try EventLog(path: dir + "/\(name).db", projectors: EventLog.standardProjectors, durable: durable)
    }

    public func run(_ workload: String) async throws -> Result {
        let r = try await measure(workload)
        done[workload] = r
        return r
    }

    func measure(_ workload: String) async throws -> Result {
        if Self.curationWorkloads.contains(workload) { return try await curationRun(workload) }
        switch workload {
        case "curation-clone-rss":
            return try await curationCloneRSS()
        case "refused-lines":
            return try refusedLines()
        case "api-edits":
            return try await apiEdits()
        case "load":
            return try await load()
        case "clone", "sync-diverged", "sync-in-sync":
            return try await runSync(workload)
        case "clone-rss":
            return try await cloneRSS()
        case "proofs":
            return try proofs()
        case "audit-verify":
            return try await auditVerify()
        case "author":
            // Best of five runs, each into a fresh node.
            let batch = 10_000
            var best = Double.infinity
            for r in 0..<5 {
                let log = try freshLog("author-\(r)")
                _ = try log.author([.genesis(name: "bench")], key: author)
                let t = try Self.time {
                    var k = 0
                    while k < events {
                        let n = min(batch, events - k)
                        let out = try log.author((k..<k + n).map(draft), key: author)
                        precondition(out.allSatisfy(\.isAccepted), "bench author: \(out.first { !$0.isAccepted }!)")
                        k += n
                    }
                }
                best = min(best, t)
            }
            return Result(workload: workload, events: events, seconds: best, extra: ["batch": .int(batch), "bestOf": 5])
        case "author-durable":
            let n = min(events, 3000)
            let log = try freshLog("durable", durable: true)
            _ = try log.author([.genesis(name: "bench")], key: author)
            let sync = try log.synchronousMode()
            let t = try Self.time {
                for k in 0..<n {
                    let out = try log.author([draft(k)], key: author)
                    precondition(out[0].isAccepted)
                }
            }
            return Result(workload: workload, events: n, seconds: t, extra: ["synchronous": .string(sync == 2 ? "FULL" : "\(sync)")])
        case "ingest", "verify":
            let target = try ingestFixture()
            if workload == "verify" {
                var report = VerificationReport()
                var t = Double.infinity
                for _ in 0..<2 { t = min(t, try Self.time { report = try target.verify() }) }
                precondition(report.isClean, "bench verify: \(report.problems.prefix(3))")
                return Result(workload: workload, events: report.events, seconds: t)
            }
            return ingestResult!
        default:
            throw BenchError("unknown workload \(workload)")
        }
    }

    var ingested: EventLog?
    var ingestResult: Result?

    /// Pre-signs `events` events by another key (not timed), then ingests them into a
    /// fresh node in 4096-event batches (timed).
    func ingestFixture() throws -> EventLog {
        if let ingested { return ingested }
        let source = try sourceLog("source", events: events)
        var lines: [[UInt8]] = []
        lines.reserveCapacity(events + 1)
        try source.forEachChunk { chunk in lines.append(contentsOf: chunk.map(\.wireLine)) }
        let bytes = lines.reduce(0) { $0 + $1.count }
        // The whole per-event check (decode, hashes, signature) on one core, for comparison.
        let sample = Array(lines.prefix(3000))
        var okCount = 0
        let checkT = Self.time {
            for l in sample { if case .success = WireFormat.verify(line: l) { okCount += 1 } }
        }
        let (target, t) = try bestIngest(lines, name: "ingest")
        ingested = target
        ingestResult = Result(
            workload: "ingest", events: lines.count, seconds: t,
            extra: [
                "bytesPerEvent": .int(bytes / max(1, lines.count)), "batch": .int(NDJSONImport.defaultBatchSize),
                "checkPerSecondOneCore": .number((Double(okCount) / checkT).rounded()), "bestOf": 2,
            ])
        return target
    }

    /// Ingests `lines` into two fresh nodes in the import's batches (timed, each batch
    /// must be accepted whole); the faster run and its node.
    func bestIngest(_ lines: [[UInt8]], name: String) throws -> (EventLog, Double) {
        var best: (EventLog, Double)?
        for r in 0..<2 {
            let into = try freshLog("\(name)-\(r)")
            let t = try Self.time {
                try Self.ingestAll(lines, into: into, name)
            }
            if t < best?.1 ?? .infinity { best = (into, t) }
        }
        return best!
    }

    public static func report(limits: Limits, results: [Result]) -> String {
        let o: JSONValue = ["limits": limits.json, "results": .array(results.map { $0.json(limits: limits) })]
        return finite(o).canonicalString
    }

    /// JSON has no NaN or infinity (a workload too fast to time, a limit that failed):
    /// such a figure is printed as null rather than stopping the report.
    /// Ingests lines that must all be accepted (the benchmarks' fixtures), through the one pipeline.
    static func ingestAll(_ lines: [[UInt8]], into log: EventLog, _ name: String = "fixture") throws {
        let t = try IngestPipeline(log: log).run(MemoryLines(lines: lines, batchSize: NDJSONImport.defaultBatchSize))
        precondition(t.summary.accepted == lines.count, "bench \(name): \(t.rejections.first.map { "\($0)" } ?? "not all accepted")")
    }

    static func finite(_ v: JSONValue) -> JSONValue {
        switch v {
        case .number(let d) where !d.isFinite: return .null
        case .array(let a): return .array(a.map(finite))
        case .object(let o): return .object(o.mapValues(finite))
        default: return v
        }
    }
}

/// A workload that could not run (the message says why).
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
