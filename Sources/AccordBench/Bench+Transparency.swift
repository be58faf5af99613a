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
