import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The curation workloads: the events curators write (CurationLogGenerator), authored,
/// ingested, rebuilt, cloned, searched and read, each against a log-only workload or a
/// server figure of the same run.
extension Bench {
    static let curationWorkloads = ["curation-author", "curation-ingest", "rebuild", "curation-clone", "search", "record-read"]

    var editors: [SigningKey] { [other, SigningKey.fixed("bench-third")] }

    /// Result of a workload of this run, running it first when it has not run.
    func baseline(_ workload: String) async throws -> Result {
        if let r = done[workload] { return r }
        return try await run(workload)
    }

    /// The pre-signed curation log of `events` events (one record per ten events), made once per run.
    func curationLines() -> [[UInt8]] {
        if let curationLog { return curationLog }
        var g = CurationLogGenerator(admin: author, editors: editors)
        let lines = g.log(events: events, records: max(1, events / 10)).map(\.wireLine)
        curationLog = lines
        return lines
    }

    func curationRun(_ workload: String) async throws -> Result {
        switch workload {
        case "curation-author":
            let base = try await baseline("author")
            // File 1: n new records; file 2: a third of them with a new summary and one more topic.
            let n = max(3, events / 5)
            var g = CurationLogGenerator(admin: author, editors: editors)
            var records = (0..<n).map { g.record($0) }
            let first = Array(Curation.recordsJSON(records).utf8)
            for i in stride(from: 0, to: n, by: 3) {
                records[i].fields[.summary] = .string(g.sentence(atLeast: 300))
                records[i].topics = Array(Set(records[i].topics + [g.rng.pick(CurationLogGenerator.topics)])).sorted()
            }
            let second = Array(Curation.recordsJSON(stride(from: 0, to: n, by: 3).map { records[$0] }).utf8)
            let log = try freshLog("curation-author")
            _ = try log.author([.genesis(name: "bench")], key: author)
            let c = Curation(log: log)
            var reports: [Curation.RecordImportReport] = []
            let t = try Self.time {
                reports.append(try c.importRecords(first, csv: false, key: author))
                reports.append(try c.importRecords(second, csv: false, key: author))
            }
            precondition(reports.allSatisfy { $0.errors.isEmpty }, "bench curation-author: \(reports.flatMap(\.errors).prefix(3))")
            let signed = reports.reduce(0) { $0 + $1.events }
            return Result(
                workload: workload, events: signed, seconds: t,
                extra: [
                    "records": .int(n), "recordsChanged": .int(reports[1].updated), "baseline": "author",
                    "baselinePerSecond": .number(base.eventsPerSecond.rounded()), "goal": .number(0.5),
                ])
        case "curation-ingest":
            let base = try await baseline("ingest")
            let lines = curationLines()
            let (target, t) = try bestIngest(lines, name: "curation-ingest")
            curationNode = target
            let conflicts = try Curation(log: target).conflicts().count
            let records = try Curation(log: target).symbols().count
            return Result(
                workload: workload, events: lines.count, seconds: t,
                extra: [
                    "records": .int(records), "conflicts": .int(conflicts), "bestOf": 2, "baseline": "ingest",
                    "baselinePerSecond": .number(base.eventsPerSecond.rounded()), "goal": .number(0.6),
                    "bytesPerEvent": .int(lines.reduce(0) { $0 + $1.count } / max(1, lines.count)),
                ])
        case "rebuild":
            let base = try await baseline("curation-ingest")
            let node = curationNode!
            let c = Curation(log: node)
            let before = try c.digest()
            var t = Double.infinity
            for _ in 0..<2 { t = min(t, try Self.time { try node.rebuild() }) }
            let after = try c.digest()
            precondition(before == after, "bench rebuild: the digest changed from \(before) to \(after)")
            return Result(
                workload: workload, events: try node.eventCount(), seconds: t,
                extra: [
                    "bestOf": 2, "baseline": "curation-ingest", "baselinePerSecond": .number(base.eventsPerSecond.rounded()),
                    "goal": .number(3), "digestUnchanged": true,
                ])
        case "curation-clone":
            let base = try await baseline("curation-ingest")
            let source = curationNode!
            let target = try freshLog("curation-clone")
            let http = SyncSession.makeClient()
            defer { Task { try? await http.shutdown() } }
            var report = SyncReport(peer: "")
            let t = try await serving(source) { url in
                try await Self.timeAsync { report = try await SyncSession(log: target, peer: url, http: http).sync(push: false) }
            }
            let (a, b) = (try Curation(log: source).digest(), try Curation(log: target).digest())
            precondition(a == b, "bench curation-clone: digests differ")
            return Result(
                workload: workload, events: report.eventsReceived, seconds: t,
                extra: [
                    "roundTrips": .int(report.roundTrips), "bytesReceived": .int(report.bytesReceived), "baseline": "curation-ingest",
                    "baselinePerSecond": .number(base.eventsPerSecond.rounded()), "goal": .number(0.6),
                ])
        case "search":
            _ = try await baseline("curation-ingest")
            let c = Curation(log: curationNode!)
            var rng = CurationLogGenerator.Rng(state: 7)
            let queries = (0..<2000).map { k in
                (0..<(1 + k % 2)).map { _ in rng.pick(CurationLogGenerator.words) }.joined(separator: " ")
            }
            var hits = 0
            let t = try Self.time { for q in queries { hits += try c.search(q, limit: 20).count } }
            precondition(hits > 0, "bench search found nothing")
            return Result(
                workload: workload, events: queries.count, seconds: t,
                extra: ["unit": "queries", "hits": .int(hits), "records": .int(try c.symbols().count)])
        default:  // record-read
            _ = try await baseline("curation-ingest")
            let node = curationNode!
            let symbols = try Curation(log: node).symbols()
            let http = SyncSession.makeClient()
            defer { Task { try? await http.shutdown() } }
            let clients = 16
            let perClient = max(50, min(2000, events / 50))
            var health = 0.0
            var read = 0.0
            try await serving(node) { url in
                func load(_ path: @escaping @Sendable (Int) -> String) async throws -> Double {
                    try await Self.getRate(url: url, http: http, clients: clients, perClient: perClient, workload: workload, path)
                }
                _ = try await load { _ in "/health" }  // warm-up: connections and caches
                health = try await load { _ in "/health" }
                let all = symbols
                read = try await load { k in
                    "/api/v1/record?symbol="
                        + (all[(k &* 7919) % all.count].addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                }
            }
            let n = clients * perClient
            return Result(
                workload: workload, events: n, seconds: Double(n) / read,
                extra: [
                    "unit": "requests", "clients": .int(clients), "baseline": "/health requests/s",
                    "baselinePerSecond": .number(health.rounded()), "goal": .number(0.5),
                ])
        }
    }
}

extension Bench {
    /// GET requests per second of `clients` clients at once, each making `perClient`
    /// requests of `path(k)`; every answer must be 200.
    static func getRate(
        url: String, http: HTTPClient, clients: Int, perClient: Int, workload: String, _ path: @escaping @Sendable (Int) -> String
    ) async throws -> Double {
        let t = try await timeAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        for k in 0..<perClient {
                            let r = try await http.execute(HTTPClientRequest(url: url + path(c * perClient + k)), timeout: .seconds(30))
                            let body = try await r.body.collect(upTo: 1 << 22)
                            precondition(r.status == .ok, "bench \(workload): \(r.status) \(String(buffer: body))")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return Double(clients * perClient) / t
    }
}
