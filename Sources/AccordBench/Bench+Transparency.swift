import AccordCore
import AccordStore
import Foundation
import Synchronization

extension Bench {
    /// Inclusion proofs served by a node whose log holds `rssEvents` events (default
    /// 1,000,000): event ids drawn across the whole log, a proof read from the stored subtrees
    /// for each (one read transaction per proof, as `/log/v1/proof` does), on every core; one
    /// proof in 64 is verified against the root. The figure is proofs per second per core.
    func proofs() throws -> Result {
        let log = try freshLog("proofs")
        _ = try log.author([.genesis(name: "bench")], key: author)
        var k = 0
        while k < rssEvents {
            let n = min(10_000, rssEvents - k)
            _ = try log.author((k..<k + n).map(draft), key: author)
            k += n
        }
        let (size, root) = try log.treeHead()
        var rng = SystemRandomNumberGenerator()
        let sample = try (0..<4096).map { _ in
            let i = Int.random(in: 0..<size, using: &rng)
            return (i, try log.leafIDs(from: i, to: i + 1)[0])
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let perCore = 20_000
        let failures = Counter()
        let t = Self.time {
            DispatchQueue.concurrentPerform(iterations: cores) { c in
                for q in 0..<perCore {
                    let (index, id) = sample[(q * cores + c) % sample.count]
                    guard let p = try? log.inclusionProof(id: id, size: size), p.index == index else {
                        failures.add()
                        continue
                    }
                    if q % 64 == 0 {
                        let leaf = Merkle.leafHash(Hex.decode(id) ?? [])
                        if (try? Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: p.proof, root: root)) == nil {
                            failures.add()
                        }
                    }
                }
            }
        }
        precondition(failures.value == 0, "bench proofs: \(failures.value) proofs failed")
        let total = perCore * cores
        return Result(
            workload: "proofs", events: total, seconds: t,
            extra: [
                "treeSize": .int(size), "cores": .int(cores),
                "proofsPerSecondPerCore": .number((Double(total) / t / Double(cores)).rounded()),
            ])
    }
}

/// A count shared by threads.
final class Counter: Sendable {
    private let n = Mutex(0)
    func add() { n.withLock { $0 += 1 } }
    var value: Int { n.withLock { $0 } }
}

extension Bench {
    /// `accord audit verify` on an auditor's bundle of the curation log (`events` events): the
    /// node that `curation-ingest` filled signs a checkpoint and exports its bundle (not timed),
    /// then the verifier checks it (best of two). Against cores x verify, the machine's limit
    /// for the signatures it must check. `ACCORD_BENCH_AUDIT_BUNDLE=FILE` keeps the bundle (to
    /// time the verifier page on it).
    func auditVerify() async throws -> Result {
        _ = try await baseline("curation-ingest")
        let node = curationNode!
        try node.signCheckpoint(with: author, interval: 0)
        guard let (note, vkey) = try node.auditCheckpoint() else { throw BenchError("bench audit-verify: no checkpoint") }
        var bundle: [UInt8] = []
        let n = try node.exportAudit(checkpoint: note, logKey: vkey) { bundle += $0 }
        let keep = ProcessInfo.processInfo.environment["ACCORD_BENCH_AUDIT_BUNDLE"] ?? dir + "/audit.ndjson"
        try Data(bundle).write(to: URL(fileURLWithPath: keep))
        var t = Double.infinity
        for _ in 0..<2 {
            t = min(
                t,
                try Self.time {
                    if case .failure(let f) = AuditVerifier.verify(bundle) { throw BenchError("bench audit-verify: \(f)") }
                })
        }
        return Result(
            workload: "audit-verify", events: n, seconds: t,
            extra: ["bundleMiB": .number((Double(bundle.count) / 1_048_576 * 10).rounded() / 10), "bestOf": 2, "goal": .number(0.5)])
    }
}
