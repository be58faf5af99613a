import AccordCore
import AccordStore
import AccordSync
import AsyncHTTPClient
import Foundation
import NIOCore

/// `api-edits`: curators saving edits at once through the HTTP API on a durable node.
extension Bench {
    static let editClients = 32
    /// Trickling strangers in the attacked run: twice the node's 64 edit slots.
    static let slowSenders = 128

    func apiEdits() async throws -> Result {
        let base = try await baseline("author-durable")
        let grouped = try await editLoad(name: "api-edits", maxGroupEvents: 4096)
        // The same load with every edit committing alone: what grouping saves.
        let alone = try await editLoad(name: "api-edits-alone", maxGroupEvents: 1)
        // The grouped load again while strangers hold twice the edit slots with trickling edits.
        let attacked = try await editLoad(name: "api-edits-slow-senders", maxGroupEvents: 4096, slowSenders: Self.slowSenders)
        return Result(
            workload: "api-edits", events: grouped.edits, seconds: grouped.seconds,
            extra: [
                "clients": .int(Self.editClients), "baseline": "author-durable events/s",
                "baselinePerSecond": .number(base.eventsPerSecond.rounded()), "goal": .number(10),
                "p50ms": .number(grouped.p50), "p99ms": .number(grouped.p99), "synchronous": "FULL",
                "writersPerCommit": Self.finite(.number(grouped.writersPerCommit)),
                "ungroupedEventsPerSecond": .number((Double(alone.edits) / alone.seconds).rounded()),
                "ungroupedP50ms": .number(alone.p50), "ungroupedP99ms": .number(alone.p99),
                "slowSenders": .int(Self.slowSenders),
                "underSlowSendersEventsPerSecond": .number((Double(attacked.edits) / attacked.seconds).rounded()),
                "underSlowSendersP50ms": .number(attacked.p50), "underSlowSendersP99ms": .number(attacked.p99),
                // The ceiling HTTP puts on an edit on this machine: GET /health (one read of the
                // log through the same blocking pool, the cheapest request that touches the
                // database), with the same clients and connections, on the same node.
                "healthPerSecond": .number(grouped.health.rounded()),
                "healthRatio": .number((grouped.health / base.eventsPerSecond * 100).rounded() / 100),
            ])
    }

    /// 32 curators saving edits through the API of a fresh durable node; figures of the run.
    func editLoad(
        name: String, maxGroupEvents: Int, slowSenders: Int = 0
    ) async throws -> (
        edits: Int, seconds: Double, p50: Double, p99: Double, writersPerCommit: Double, health: Double
    ) {
        let log = try freshLog(name, durable: true)
        _ = try log.author([.genesis(name: "bench")], key: author)
        var g = CurationLogGenerator(admin: author, editors: editors)
        let recordCount = 640
        let records = (0..<recordCount).map { g.record($0) }
        let c = Curation(log: log)
        _ = try c.importRecords(Array(Curation.recordsJSON(records).utf8), csv: false, key: author)
        let symbols = try c.symbols()
        let keys = (0..<Self.editClients).map { SigningKey.fixed("bench-curator-\($0)") }
        try c.authorize(keys.enumerated().map { .granted(key: $1.author, role: .editor, name: "Curator \($0)") }, key: author)
        let dataset = try log.datasetID()!
        // Each curator edits its own records' notes (replacing its own last revision), about
        // 300 characters each: the events users write, one save per request.
        let perClient = max(20, min(400, events / 250))
        let summaries = (0..<64).map { _ in g.sentence(atLeast: 300) }
        // One connection per curator, as 32 browsers would hold.
        var config = HTTPClient.Configuration()
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.editClients
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        defer { Task { try? await http.shutdown() } }
        let latencies = KindBook()
        let before = try log.eventCount()
        var metrics = ""
        var health = 0.0
        let t = try await serving(log, maxGroupEvents: maxGroupEvents) { url in
            let attack = slowSenders > 0 ? SlowSenders(port: Int(url.split(separator: ":").last!)!, count: slowSenders) : nil
            let trickle = Task {
                while let attack, !Task.isCancelled {
                    attack.tick()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            let t = try await Self.timeAsync {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (k, key) in keys.enumerated() {
                        group.addTask {
                            var chain = ChainSigner(key: key, dataset: dataset)
                            var last: [Int: String] = [:]
                            for n in 0..<perClient {
                                let r = k + Self.editClients * (n % (recordCount / Self.editClients))
                                let symbol = try ResolutionSymbol(parsing: symbols[r])
                                let value = JSONValue.string(summaries[(k + n) % summaries.count] + " (\(n))")
                                let e = chain.sign(
                                    DomainEvent.fieldSet(symbol, field: .notes, value: value, base: last[r].map { [$0] } ?? []).draft)
                                last[r] = e.id
                                let ok = await Self.postEdit(e, to: url, http: http, book: latencies)
                                precondition(ok, "bench api-edits: an edit was not accepted")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            trickle.cancel()
            await trickle.value
            attack?.stop()
            let response = try await http.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(10))
            metrics = String(buffer: try await response.body.collect(upTo: 1 << 20))
            health = try await Self.getRate(
                url: url, http: http, clients: Self.editClients, perClient: perClient * 2, workload: name
            ) { _ in "/health" }
            return t
        }
        let n = Self.editClients * perClient
        let stored = try log.eventCount() - before
        precondition(stored == n, "bench api-edits: \(stored) of \(n) edits stored")
        func counter(_ name: String) -> Double {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? .nan
        }
        let sorted = latencies.latencies["edit", default: []].sorted()
        func pct(_ p: Double) -> Double { Self.percentile(sorted, p) }
        let perCommit = counter("accord_group_commit_writers_total") / counter("accord_group_commits_total")
        return (n, t, pct(0.5), pct(0.99), (perCommit * 10).rounded() / 10, health)
    }
}
