import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import AccordStore

/// Admission: what a line that could never be appended may cost before it is refused. A
/// member's key is public, so naming it must buy a forger no more signature checks than
/// naming a stranger's key.
@Suite struct AdmissionTests {
    static let alice = Fixtures.alice  // genesis admin
    static let bob = Fixtures.bob  // editor
    static let stranger = SigningKey.fixed("admission-stranger")
    static let forgedSignature = String(repeating: "A", count: 86)

    static func forged(
        _ log: EventLog, _ key: SigningKey, seq: Int, prev: String? = nil, dataset: String? = nil, _ i: Int
    )
        throws -> [UInt8]
    {
        let e = UnsignedEvent(
            draft: Fixtures.note(i), dataset: try dataset ?? log.datasetID(), author: key.author, seq: seq,
            prev: prev ?? (seq > 1 ? String(repeating: "0", count: 64) : nil),
            time: HLCTime(millis: HybridLogicalClock.wallMillis()))
        return WireFormat.line(envelope: e.canonicalEnvelope, signature: forgedSignature, body: e.bodyBytes)
    }

    static func rejections(_ out: [IngestOutcome]) -> [EventRejection] {
        out.compactMap { if case .rejected(let r) = $0 { r } else { nil } }
    }

    /// Lines that each name a member's key at a seq that could follow, with forged
    /// signatures: the first ones checked fail, and once `maxFailedChecks` have failed the
    /// key's further lines in the stream are refused unchecked.
    @Test func forgedLinesNamingAMemberCostABoundedNumberOfChecks() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let lines = try (0..<400).map { try Self.forged(log, Self.bob, seq: 1, $0) }
        let refused = Self.rejections(try log.ingest(lines: lines))
        #expect(refused.count == 400)
        let checked = refused.filter { !$0.message.hasPrefix("not checked") }
        #expect(checked.allSatisfy { $0.code == .badSignature }, "\(checked)")
        // Parallel checks: each thread may check one more line while another counts the last.
        let bound = Admission.maxFailedChecks + ProcessInfo.processInfo.activeProcessorCount
        #expect(checked.count >= Admission.maxFailedChecks && checked.count <= bound, "\(checked.count) checked")
        #expect(refused.filter { $0.message.hasPrefix("not checked") }.allSatisfy { $0.message.contains(Self.bob.author.text) })
        // The same stream in parts of 8 lines, as a push or a pull streams it.
        let batches = Mutex([Array(lines[0..<200]), Array(lines[200...])])
        var streamed: [IngestOutcome] = []
        try log.ingest(
            partLines: 8, next: { batches.withLock { $0.isEmpty ? nil : $0.removeFirst() } }, handle: { streamed += $0 })
        let streamedChecked = Self.rejections(streamed).filter { !$0.message.hasPrefix("not checked") }
        #expect(streamed.count == 400 && streamedChecked.count <= bound, "\(streamedChecked.count)")
        // A few damaged lines leave the key's own line in the same stream checked and taken.
        let own = UnsignedEvent(
            draft: Fixtures.note(1), dataset: try log.datasetID(), author: Self.bob.author, seq: 1, prev: nil,
            time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.bob)
        let mixed = try log.ingest(lines: Array(lines[0..<3]) + [own.wireLine])
        #expect(Self.rejections(mixed).map(\.code) == [.badSignature, .badSignature, .badSignature] && mixed[3].isAccepted)
        #expect(try log.versionVector()[Self.bob.author.text] == 1)
    }

    /// A member's line whose seq or prev cannot follow this node's chain, or that belongs to
    /// another dataset, is refused for that, before its (forged) signature is checked.
    @Test func aMembersLineThatCannotFollowIsRefusedUnchecked() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        _ = try log.author([Fixtures.note(0), Fixtures.note(1)], key: Self.bob)
        let gap = Self.rejections(try log.ingest(lines: [try Self.forged(log, Self.bob, seq: 9, 2)]))
        #expect(gap.count == 1 && gap[0].code == .seqGap && gap[0].message.contains("cannot follow"), "\(gap)")
        let prev = Self.rejections(
            try log.ingest(lines: [try Self.forged(log, Self.bob, seq: 3, prev: String(repeating: "0", count: 64), 3)]))
        #expect(prev.count == 1 && prev[0].code == .wrongPrev, "\(prev)")
        let other = Self.rejections(
            try log.ingest(lines: [try Self.forged(log, Self.bob, seq: 3, dataset: String(repeating: "1", count: 64), 4)]))
        #expect(other.count == 1 && other[0].code == .wrongDataset, "\(other)")
        // Seq 4 with seq 3 before it in the same stream (in either order) can follow: both checked.
        let head = try log.pool.read { db in try EventLog.head(db, author: Self.bob.author.text) }!
        let three = UnsignedEvent(
            draft: Fixtures.note(5), dataset: try log.datasetID(), author: Self.bob.author, seq: 3, prev: head.id,
            time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.bob)
        let four = UnsignedEvent(
            draft: Fixtures.note(6), dataset: try log.datasetID(), author: Self.bob.author, seq: 4, prev: three.id,
            time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.bob)
        #expect(try log.ingest(lines: [four.wireLine, three.wireLine]).allSatisfy(\.isAccepted))
    }

    /// A grant the node would refuse (signed by an editor) admits none of its grantee's
    /// lines to the checks; an admin's grant in the same stream does.
    @Test func aRefusedGrantLetsNoneOfItsGranteesLinesThrough() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let dataset = try log.datasetID()
        let byEditor = UnsignedEvent(
            draft: AuthorizationEvent.granted(key: Self.stranger.author, role: .admin, name: "S").draft, dataset: dataset,
            author: Self.bob.author, seq: 1, prev: nil, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.bob)
        let flood = try (0..<50).map { try Self.forged(log, Self.stranger, seq: $0 + 1, $0) }
        let out = try log.ingest(lines: [byEditor.wireLine] + flood)
        let refused = Self.rejections(out)
        #expect(refused.count == 51)
        #expect(refused[0].code == .unauthorized && refused[0].message.contains("only an admin"), "\(refused[0])")
        #expect(refused.dropFirst().allSatisfy { $0.code == .unauthorized && $0.message.contains("not a member") }, "\(refused)")
        // The admin's grant opens the door to the grantee's lines in the same stream.
        let byAdmin = UnsignedEvent(
            draft: AuthorizationEvent.granted(key: Self.stranger.author, role: .editor, name: "S").draft, dataset: dataset,
            author: Self.alice.author, seq: 3, prev: try log.pool.read { db in try EventLog.head(db, author: Self.alice.author.text) }!.id,
            time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.alice)
        let granted = try log.ingest(lines: [byAdmin.wireLine, try Self.forged(log, Self.stranger, seq: 1, 0)])
        #expect(granted[0].isAccepted)
        #expect(Self.rejections(granted).map(\.code) == [.badSignature], "\(granted)")
    }
}

/// An event stamped far ahead, which an older version took, is not sent on: every node
/// that checks the time would refuse it at every sync.
@Suite struct FarFutureTests {
    @Test func anEventFarAheadIsNotSentNorAreItsAuthorsLaterOnes() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let head = try log.pool.read { db in try EventLog.head(db, author: Fixtures.alice.author.text) }!
        let ahead = UnsignedEvent(
            draft: Fixtures.note(1), dataset: try log.datasetID(), author: Fixtures.alice.author, seq: head.seq + 1, prev: head.id,
            time: HLCTime("9999-12-31T23:59:59.999Z#00001")!
        ).signed(by: Fixtures.alice)
        let hex = { (b: [UInt8]) in b.map { String(format: "%02x", $0) }.joined() }
        // As an older version stored it (it refused nothing by time).
        let (status, err) = try Fixtures.sqlite3(
            dir.file("node.db"),
            """
            INSERT INTO events(id, author, seq, prev, type, subject, time, envelope, sig) VALUES
            ('\(ahead.id)', '\(ahead.envelope.author)', \(ahead.envelope.seq), '\(head.id)', 'bench.note', 'A/RES/71/19',
             '\(ahead.envelope.timeText)', X'\(hex(ahead.envelopeBytes))', '\(ahead.signature)');
            """)
        #expect(status == 0, "\(err)")
        let sent = try log.missing(for: VersionVector(), after: 0, maxEvents: 1000, maxBytes: 1 << 20).events
        #expect(sent.count == 2 && !sent.contains { $0.id == ahead.id }, "\(sent.map(\.seq))")
    }
}
