import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AccordTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import Testing

/// Random edits on 3 to 5 nodes and a random schedule of pairwise syncs over HTTP; after
/// a final round of syncs every digest is equal.
@Suite struct SyncPropertyTests {
    typealias Rng = SplitMix64

    @Test(arguments: 0..<50)
    func randomSchedulesConverge(seed: Int) async throws {
        var rng = Rng(state: UInt64(seed) &+ 1000)
        let dir = TempDir()
        try await withSyncClient { http in
            let count = 3 + rng.int(3)
            let keys = (0..<count).map { SigningKey.fixed("schedule-\(seed)-\($0)") }
            let first = try TestNode(name: "n0", dir: dir.path, key: keys[0])
            _ = try first.log.author(
                [.genesis(name: "prop")]
                    + keys.dropFirst().map { AuthorizationEvent.granted(key: $0.author, role: .editor, name: "n").draft },
                key: keys[0])
            let symbols = ["A/RES/71/19", "A/RES/73/11", "S/RES/2178 (2014)"].map { try! ResolutionSymbol(parsing: $0) }
            for s in symbols { try first.curation.add(s.description, fields: [.title: "t"], key: keys[0]) }
            var nodes = [first]
            for k in 1..<count {
                let n = try TestNode(name: "n\(k)", dir: dir.path, key: keys[k])
                _ = try n.log.ingest(lines: first.lines())
                nodes.append(n)
            }
            for n in nodes { try await n.start() }
            for _ in 0..<(10 + rng.int(20)) {
                let a = rng.int(count)
                if rng.int(3) == 0 {
                    var b = rng.int(count)
                    if b == a { b = (a + 1) % count }
                    _ = try await nodes[a].sync(with: nodes[b], http: http)
                } else {
                    let s = symbols[rng.int(symbols.count)]
                    let c = nodes[a].curation
                    switch rng.int(4) {
                    case 0, 1:
                        let f: RecordField = rng.int(2) == 0 ? .title : .notes
                        let base = try c.state(s)?.fields[f]?.heads.map(\.id) ?? []
                        _ = try c.author([.fieldSet(s, field: f, value: .string("v\(rng.int(100))"), base: base)], key: keys[a])
                    case 2: _ = try c.author([.topicsAdded(s, ["t\(rng.int(3))"])], key: keys[a])
                    default:
                        if let t = try c.state(s)?.topics.first { _ = try c.untag(s, [t], key: keys[a]) }
                    }
                }
            }
            // Final round: everyone syncs with node 0, then node 0's state flows back.
            for k in 1..<count { _ = try await nodes[k].sync(with: nodes[0], http: http) }
            for k in 1..<count { _ = try await nodes[k].sync(with: nodes[0], http: http) }
            let digests = try Set(nodes.map { try $0.curation.digest() })
            let vectors = try Set(nodes.map { try $0.log.versionVector() })
            #expect(digests.count == 1, "seed \(seed): \(digests.count) digests")
            #expect(vectors.count == 1)
            for n in nodes { await n.stop() }
        }
    }
}
