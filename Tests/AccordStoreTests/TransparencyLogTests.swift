import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// This node's transparency log: a leaf per stored event in append order, grown in the
/// transaction that stores it, proofs that verify, checkpoints signed at most once per
/// interval, and nothing a redaction or a rewrite of the tables can change unseen.
@Suite struct TransparencyLogTests {
    static func node() throws -> (EventLog, Curation) {
        let log = try EventLog.inMemory()
        _ = try log.author(
            [.genesis(name: "transparency"), AuthorizationEvent.granted(key: Fixtures.bob.author, role: .editor, name: "Bob").draft],
            key: Fixtures.alice)
        let c = Curation(log: log)
        _ = try c.importRecords(CurationTests.seedData, csv: false, key: Fixtures.alice)
        return (log, c)
    }

    static func leafHashes(_ log: EventLog) throws -> [Merkle.Hash] {
        try log.readChunk(after: 0, limit: 100_000).map { Merkle.leafHash(Hex.decode($0.id)!) }
    }

    @Test func everyEventIsALeafInAppendOrderAndEveryProofHolds() throws {
        let (log, c) = try Self.node()
        let first = try log.treeHead()
        let (count, leaves) = (try log.eventCount(), try Self.leafHashes(log))
        #expect(first.size == count && first.root == Merkle.root(leafHashes: leaves))
        // Edits by the API's way in (group commit), the CLI's (author) and a peer's (ingest) all grow it.
        try c.edit(.set(try c.existing("A/RES/72/1"), .notes, "a note"), key: Fixtures.bob)
        let other = try EventLog.inMemory()
        _ = try other.ingest(lines: try log.readChunk(after: 0, limit: 100_000).map(\.wireLine))
        let now = try log.treeHead()
        let grown = try Self.leafHashes(log)
        #expect(now.size == first.size + 1 && now.root == Merkle.root(leafHashes: grown))
        #expect(try other.treeHead() == now)
        for e in try log.readChunk(after: 0, limit: 100_000) {
            let (index, size, proof) = try log.inclusionProof(id: e.id)
            try Merkle.verifyInclusion(index: index, size: size, leafHash: Merkle.leafHash(Hex.decode(e.id)!), proof: proof, root: now.root)
        }
        let proof = try log.consistencyProof(from: first.size, to: now.size)
        try Merkle.verifyConsistency(size1: first.size, size2: now.size, proof: proof, root1: first.root, root2: now.root)
        #expect(try log.treeRoot(size: first.size) == first.root)
        #expect(throws: TransparencyError.self) { try log.consistencyProof(from: 1, to: now.size + 1) }
        #expect(throws: EventNotFound.self) { try log.inclusionProof(id: String(repeating: "0", count: 64)) }
    }

    /// Erasing a body changes no id, so no root and no proof.
    @Test func aRedactionChangesNoRootAndNoProof() throws {
        let (log, c) = try Self.node()
        try c.edit(.set(try c.existing("A/RES/72/1"), .notes, "personal data"), key: Fixtures.bob)
        let target = try #require(try log.readChunk(after: 0, limit: 100_000).last)
        let before = try log.treeHead()
        let proofBefore = try log.inclusionProof(id: target.id)
        try c.authorize([.redacted(target: target.id, reason: "personal data")], key: Fixtures.alice)
        #expect(try log.event(id: target.id)?.bodyBytes == nil)
        #expect(try log.treeRoot(size: before.size) == before.root)
        #expect(try log.inclusionProof(id: target.id, size: before.size) == proofBefore)
        #expect(try log.treeHead().size == before.size + 1)
    }

    @Test func theTreeIsAppendOnly() throws {
        let (log, _) = try Self.node()
        _ = try log.signCheckpoint(with: Fixtures.alice)
        for sql in [
            "UPDATE tlog_hashes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0", "DELETE FROM tlog_hashes WHERE level = 4",
            "DELETE FROM tlog_checkpoints", "UPDATE tlog_checkpoints SET size = size + 1",
            "UPDATE events SET pos = pos + 1000 WHERE pos = 1",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try log.pool.write { db in try db.execute(sql: sql) } }
        }
        _ = try log.signCheckpoint(with: Fixtures.alice)
        let clean = try log.verifyTransparencyLog()
        #expect(clean.problems.isEmpty, "\(clean.problems)")
        // Someone with the file drops the guard and rewrites the first subtree of every level: the
        // check names the subtrees, and the checkpoint no longer matches the tree.
        try log.pool.write { db in
            try db.execute(sql: "DROP TRIGGER tlog_hashes_no_update")
            try db.execute(sql: "UPDATE tlog_hashes SET hash = zeroblob(32) WHERE idx = 0")
        }
        let broken = try log.verifyTransparencyLog()
        #expect(broken.problems.contains { $0.contains("subtree 4/0") }, "\(broken.problems)")
        #expect(broken.problems.contains { $0.contains("is not this log's tree") }, "\(broken.problems)")
    }

    /// A checkpoint is signed when the tree grew and the interval passed, not per event; it
    /// reads as C2SP says and verifies with the node's key under its origin.
    @Test func checkpointsAreSignedOncePerIntervalAndVerify() throws {
        let (log, c) = try Self.node()
        let start = Date()
        let first = try log.signCheckpoint(with: Fixtures.alice, interval: 60, now: start)
        let origin = try log.logOrigin(node: Fixtures.alice.author)
        #expect(origin.hasPrefix("accord/") && origin.hasSuffix("/e1"))
        let verifier = try NoteVerifier(name: origin, publicKey: Fixtures.alice.author.raw)
        #expect(try SignedNote(parsing: first.bytes).verified(by: [verifier]) == [verifier])
        let checkpoint = try Checkpoint(text: first.text)
        let head = try log.treeHead()
        #expect(checkpoint.origin == origin && checkpoint.size == head.size && checkpoint.root == head.root)
        #expect(try log.signCheckpoint(with: Fixtures.alice, interval: 60, now: start.addingTimeInterval(120)) == first)
        try c.edit(.set(try c.existing("A/RES/72/1"), .notes, "more"), key: Fixtures.bob)
        // Grown, but within the interval: the same checkpoint; after it, a new one, consistent.
        #expect(try log.signCheckpoint(with: Fixtures.alice, interval: 60, now: start.addingTimeInterval(1)) == first)
        let second = try log.signCheckpoint(with: Fixtures.alice, interval: 60, now: start.addingTimeInterval(61))
        let next = try Checkpoint(text: second.text)
        let latest = try log.latestCheckpoint()
        #expect(next.size == checkpoint.size + 1 && latest == second)
        try Merkle.verifyConsistency(
            size1: checkpoint.size, size2: next.size, proof: try log.consistencyProof(from: checkpoint.size, to: next.size),
            root1: checkpoint.root, root2: next.root)
    }

    @Test func tilesHoldTheTreesHashesAndEntries() throws {
        let log = try EventLog.inMemory()
        _ = try log.author([.genesis(name: "tiles")], key: Fixtures.alice)
        _ = try log.author(
            (0..<600).map { EventDraft(type: "bench.note", subject: "A/RES/71/19", body: ["n": .int($0)]) }, key: Fixtures.alice)
        let leaves = try Self.leafHashes(log)
        #expect(leaves.count == 601)
        // Level 0: the leaf hashes, 256 a tile; the right edge is partial (601 = 2·256 + 89).
        let full = try #require(try log.tile(TilePath(level: 0, index: 1)))
        #expect(full == Array(leaves[256..<512].joined()))
        #expect(try log.tile(TilePath(level: 0, index: 2, count: 89)) == Array(leaves[512..<601].joined()))
        #expect(try log.tile(TilePath(level: 0, index: 2, count: 12)) == Array(leaves[512..<524].joined()))
        #expect(try log.tile(TilePath(level: 0, index: 2)) == nil, "not whole yet")
        #expect(try log.tile(TilePath(level: 0, index: 2, count: 90)) == nil)
        // Level 1: the roots of each complete 256-leaf subtree.
        let level1 = try #require(try log.tile(TilePath(level: 1, index: 0, count: 2)))
        #expect(level1 == Merkle.root(leafHashes: Array(leaves[0..<256])) + Merkle.root(leafHashes: Array(leaves[256..<512])))
        #expect(try log.tile(TilePath(level: 1, index: 0, count: 3)) == nil)
        // Entries: each event id's 32 bytes after its length, 0x0020.
        let ids = try log.readChunk(after: 0, limit: 1000).map(\.id)
        let bundle = try #require(try log.tile(TilePath(level: nil, index: 2, count: 89)))
        #expect(bundle.count == 89 * 34 && Array(bundle[0..<34]) == [0x00, 0x20] + Hex.decode(ids[512])!)
    }
}
