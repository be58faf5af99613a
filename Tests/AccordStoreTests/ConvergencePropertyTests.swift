import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import AccordStore

/// The projected state is a function of the set of events: every valid ingest order
/// gives the same digest, and a rebuild gives the digest of the incremental path.
@Suite struct ConvergencePropertyTests {
    /// A small deterministic generator (SplitMix64), so each case replays from its seed.
    typealias Rng = SplitMix64

    static let symbols = ["A/RES/71/19", "A/RES/73/11", "S/RES/2482 (2019)"]
    static let topics = ["terrorism", "cybercrime", "corruption", "drugs"]

    /// Three to four authors edit on their own nodes (concurrent edits, removals,
    /// withdrawals), syncing now and then; returns every event of the case.
    static func scenario(seed: UInt64, dir: TempDir) throws -> [[UInt8]] {
        var rng = Rng(state: seed)
        let authors = (0..<(3 + rng.int(2))).map { SigningKey.fixed("prop-\(seed)-\($0)") }
        let first = try Fixtures.node(dir, "n0.db", projectors: [CurationProjector()])
        try Fixtures.grant(first, authors)
        let genesis = try Fixtures.lines(first)
        var nodes = [Curation(log: first)]
        for k in 1..<authors.count {
            let log = try EventLog(path: dir.file("n\(k).db"), projectors: [CurationProjector()])
            _ = try log.ingest(lines: genesis)
            nodes.append(Curation(log: log))
        }
        for s in symbols { _ = try nodes[0].add(s, fields: [.title: .string("Initial \(s)")], key: authors[0]) }
        func sync(_ a: Int, _ b: Int) throws {
            _ = try nodes[b].log.ingest(lines: Fixtures.lines(nodes[a].log))
            _ = try nodes[a].log.ingest(lines: Fixtures.lines(nodes[b].log))
        }
        for k in 1..<nodes.count { try sync(0, k) }
        for _ in 0..<(8 + rng.int(12)) {
            let n = rng.int(nodes.count)
            let c = nodes[n]
            let key = authors[n]
            let s = try ResolutionSymbol(parsing: rng.pick(symbols))
            // Edits by a key whose node already knows it was revoked are refused; the generator moves on.
            switch rng.int(13) {
            case 0, 1, 2:
                let f = rng.pick([RecordField.title, .notes, .summary])
                let st = try c.state(s)?.fields[f] ?? FieldState(heads: [])
                // Edits name the heads this node sees (possibly stale): concurrency comes from not syncing.
                _ = try? c.author([.fieldSet(s, field: f, value: .string("v\(rng.int(1000)) by \(n)"), base: st.heads.map(\.id))], key: key)
            case 3: _ = try? c.tag(s, [rng.pick(topics)], key: key)
            case 4:
                if let t = try c.state(s)?.topics.first { _ = try? c.untag(s, [t], key: key) }
            case 5: _ = try? c.link(s, [Link(rel: .cites, target: try ResolutionSymbol(parsing: rng.pick(symbols)))], key: key)
            case 6:
                if try c.state(s)?.withdrawn == true { try? c.restore(s, key: key) } else { try? c.withdraw(s, reason: "r", key: key) }
            case 7:
                if let l = try c.state(s)?.links.first { _ = try? c.unlink(s, [l], key: key) }
            case 8:
                try sync(n, rng.int(nodes.count))
            case 9:
                // The admin revokes an author on node 0, through a seq node 0 may not have seen all of.
                let victim = authors[1 + rng.int(authors.count - 1)]
                let held = try nodes[0].log.highestSeq(victim.author.text) ?? 0
                if rng.int(2) == 0 {
                    _ = try? nodes[0].authorize(
                        [.revoked(key: victim.author, validThroughSeq: max(0, held - rng.int(3)))], key: Fixtures.alice)
                } else {
                    // Or changes its role, from a seq node 0 may not have seen all of.
                    let role = rng.pick([MemberRole.admin, .editor])
                    let from = max(1, held + 1 - rng.int(3))
                    _ = try? nodes[0].authorize(
                        [.granted(key: victim.author, role: role, name: "n\(from)", fromSeq: from)], key: Fixtures.alice)
                }
            case 10:
                // The admin redacts a curation event node 0 holds.
                let ids = try nodes[0].log.pool.read { db in
                    try String.fetchAll(db, sql: "SELECT id FROM events WHERE type IN ('field.set', 'topics.added') ORDER BY id")
                }
                if !ids.isEmpty { _ = try? nodes[0].authorize([.redacted(target: rng.pick(ids), reason: "test")], key: Fixtures.alice) }
            case 11:
                // Or signs a redaction of any event node 0 holds (genesis and membership
                // events too), past the checks of the authoring path, as a peer could.
                let ids = try nodes[0].log.pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM events ORDER BY id") }
                let target = rng.pick(ids)
                _ = try signRaw(
                    EventDraft(type: "event.redacted", subject: target, body: ["target": .string(target), "reason": "any"]),
                    key: Fixtures.alice, on: nodes[0].log, twin: false, to: nodes[0].log)
            default:
                // An author signs a second event at its head seq and gives it to another node:
                // a fork, each node holding the branch it saw first.
                let other = (n + 1 + rng.int(nodes.count - 1)) % nodes.count
                _ = try signRaw(
                    DomainEvent.fieldSet(s, field: .notes, value: .string("twin by \(n)"), base: []).draft, key: key, on: c.log, twin: true,
                    to: nodes[other].log)
            }
        }
        // Every node's export: its events, then its fork evidence.
        var all: [String: [UInt8]] = [:]
        for c in nodes {
            for l in try exported(c.log) { all[ContentHash.sha256Hex(l)] = l }
        }
        return all.keys.sorted().map { all[$0]! }
    }

    /// Signs `draft` for `key` after its chain on `log` (or, `twin`, in place of its head:
    /// a fork) and ingests it into `target`, with no check of the authoring path.
    static func signRaw(_ draft: EventDraft, key: SigningKey, on log: EventLog, twin: Bool, to target: EventLog) throws -> [IngestOutcome] {
        guard let dataset = try log.datasetID(), let head = try log.chainHead(author: key.author.text) else { return [] }
        var signer = ChainSigner(key: key, dataset: dataset, seq: head.seq, prev: head.id, last: HLCTime(head.time))
        if twin {
            guard head.seq > 1 else { return [] }
            let before = try log.pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT id, time FROM events WHERE author = ? AND seq = ?", arguments: [key.author.text, head.seq - 1])
            }
            guard let before else { return [] }
            signer = ChainSigner(key: key, dataset: dataset, seq: head.seq - 1, prev: before[0], last: HLCTime(before[1] as String))
        }
        return try target.ingest(lines: [signer.sign(draft).wireLine])
    }

    /// What `accord export` writes, as lines.
    static func exported(_ log: EventLog) throws -> [[UInt8]] {
        let path = (log.path ?? NSTemporaryDirectory() + "/accord-\(UUID().uuidString)") + ".export.ndjson"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        _ = try log.exportNDJSON(to: handle)
        try handle.close()
        return try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 0x0A).map { [UInt8]($0) }
    }

    /// A refusal that only a fork explains: the second event at a seq, or a successor of the
    /// branch that was not stored.
    static func refusedOnlyForAFork(_ outcomes: [IngestOutcome]) -> Bool {
        outcomes.allSatisfy {
            guard case .rejected(let r) = $0 else { return true }
            return [.equivocation, .wrongPrev, .seqGap].contains(r.code)
        }
    }

    /// A random order that keeps each author's chain in order and the genesis first.
    static func shuffledValidOrder(_ lines: [[UInt8]], rng: inout Rng) throws -> [[UInt8]] {
        let events = try lines.map { try WireFormat.verify(line: $0).get() }
        var queues: [String: [SignedEvent]] = [:]
        var genesis: SignedEvent?
        for e in events {
            if e.envelope.isGenesis { genesis = e } else { queues[e.envelope.author, default: []].append(e) }
        }
        for k in queues.keys { queues[k]!.sort { $0.envelope.seq < $1.envelope.seq } }
        // A member's events come after the event that granted it.
        var grantOf: [String: String] = [:]
        for e in events where e.envelope.type == "member.granted" { grantOf[e.envelope.subject!] = e.id }
        var emitted: Set<String> = [genesis!.id]
        var out = [genesis!.wireLine]
        var authors = queues.keys.sorted()
        while !authors.isEmpty {
            let ready = authors.indices.filter { grantOf[authors[$0]].map(emitted.contains) ?? true }
            let i = ready[rng.int(ready.count)]
            let e = queues[authors[i]]!.removeFirst()
            out.append(e.wireLine)
            emitted.insert(e.id)
            if queues[authors[i]]!.isEmpty { authors.remove(at: i) }
        }
        return out
    }

    /// Any order: the whole log shuffled (chains broken) and handed over in one batch,
    /// which the appender must put back in chain order itself.
    static func shuffledAnyOrder(_ lines: [[UInt8]], rng: inout Rng) -> [[UInt8]] {
        var out = lines
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, rng.int(i + 1)) }
        return out
    }

    @Test(arguments: 0..<200)
    func anyOrderAndAnyBatchSizeGiveTheSameDigest(seed: Int) throws {
        let dir = TempDir()
        let lines = try Self.scenario(seed: UInt64(seed), dir: dir)
        var rng = Rng(state: UInt64(seed) &* 7919)
        var digests: [String: String] = [:]
        for k in 0..<4 {
            let c = Curation(log: try EventLog(path: dir.file("order\(k).db"), projectors: [CurationProjector()]))
            let order = k == 2 ? Self.shuffledAnyOrder(lines, rng: &rng) : try Self.shuffledValidOrder(lines, rng: &rng)
            // Batches as sync pages would bring them: small (1 to 12), large (up to the whole log), or all at once.
            var batches: [[[UInt8]]] = []
            var i = 0
            while i < order.count {
                let n = k == 0 ? 1 + rng.int(12) : k == 2 ? order.count : 1 + rng.int(order.count)
                batches.append(Array(order[i..<min(order.count, i + n)]))
                i += n
            }
            if k == 3 {
                // Streamed, each batch one transaction appended in parts of 1 to 8 lines: the
                // read models store each part's facts as it comes and fold at the transaction's end.
                let queue = Mutex(batches[...])
                try c.log.ingest(
                    partLines: 1 + rng.int(8), next: { queue.withLock { $0.popFirst() } },
                    handle: { out in
                        #expect(Self.refusedOnlyForAFork(out), "seed \(seed): \(out)")
                    })
            } else {
                for batch in batches {
                    let out = try c.log.ingest(lines: batch)
                    #expect(Self.refusedOnlyForAFork(out), "seed \(seed): \(out)")
                }
            }
            digests["incremental, batches \(["1-12", "random", "one, any order", "random, streamed in parts"][k])"] = try c.digest()
            if k == 0 {
                // The fold of the live facts (materialised rows) equals the fold of all facts.
                let end = Cutoff(time: HLCTime(millis: 253_402_300_799_000))
                for s in Self.symbols {
                    let symbol = try ResolutionSymbol(parsing: s)
                    #expect(try c.state(symbol) == c.state(symbol, cutoff: end), "seed \(seed) \(s)")
                }
            }
            if k == 0 {
                let size = 1 + rng.int(40)
                try c.log.rebuild(batchSize: size)
                digests["rebuild in batches of \(size)"] = try c.digest()
                // A clone from this node's export (events, then fork evidence), in pages.
                let clone = Curation(log: try EventLog(path: dir.file("clone.db"), projectors: [CurationProjector()]))
                let file = try Self.exported(c.log)
                var j = 0
                while j < file.count {
                    let n = 1 + rng.int(64)
                    let out = try clone.log.ingest(lines: Array(file[j..<min(file.count, j + n)]))
                    #expect(Self.refusedOnlyForAFork(out), "seed \(seed), clone: \(out)")
                    j += n
                }
                digests["clone of its export"] = try clone.digest()
                // The same file again is nothing but duplicates, its fork evidence too.
                let again = try clone.log.ingest(lines: file)
                #expect(again.allSatisfy { if case .duplicate = $0 { true } else { false } }, "seed \(seed), again: \(again)")
            }
        }
        #expect(Set(digests.values).count == 1, "seed \(seed): \(digests)")
    }
}
