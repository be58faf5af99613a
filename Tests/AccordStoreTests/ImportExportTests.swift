import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

@Suite struct ImportExportTests {
    func export(_ log: EventLog, _ path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        _ = try log.exportNDJSON(to: h)
        try h.close()
    }

    @Test func exportImportsIntoAnEmptyNodeAndAgainAddsNothing() throws {
        let dir = TempDir()
        let a = try Fixtures.node(dir, "a.db")
        _ = try a.author((0..<50).map { Fixtures.note($0) }, key: Fixtures.alice)
        _ = try a.author((0..<20).map { Fixtures.note($0) }, key: Fixtures.bob)
        try export(a, dir.file("a.ndjson"))
        let b = try EventLog(path: dir.file("b.db"))
        let data = [UInt8](FileManager.default.contents(atPath: dir.file("a.ndjson"))!)
        let first = try NDJSONImport.run(data: data, into: b)
        #expect(first.summary.accepted == 72 && first.summary.rejected == 0)
        #expect(try b.datasetID() == a.datasetID())
        #expect(try b.datasetName() == "test dataset")
        #expect(try b.verify().isClean)
        let again = try NDJSONImport.run(data: data, into: b)
        #expect(
            again.summary
                == {
                    var s = IngestSummary(); s.duplicate = 72; return s
                }())
        let (linesA, linesB) = (try Fixtures.lines(a), try Fixtures.lines(b))
        #expect(linesB == linesA)
    }

    @Test func badLinesAreRejectedWithReasonsAndGoodLinesLand() throws {
        let dir = TempDir()
        let source = try Fixtures.node(dir, "source.db")
        _ = try source.author((0..<4).map { Fixtures.note($0) }, key: Fixtures.alice)
        let all = try Fixtures.lines(source)  // genesis, grant, 4 notes
        let good = [all[0]] + Array(all[2...])
        // A node that already holds genesis and the first note.
        let target = try EventLog(path: dir.file("target.db"))
        _ = try target.ingest(lines: Array(all[0...2]))
        let before = try Fixtures.lines(target)

        let otherDir = TempDir()
        let other = try Fixtures.node(otherDir, "other.db")
        _ = try other.author([Fixtures.note(9)], key: Fixtures.bob)
        let foreign = try Fixtures.lines(other)[1]

        // Signed by mallory, claiming to be alice.
        let mallory = SigningKey.fixed("mallory")
        let stolen = try WireFormat.verify(line: good[2]).get()
        let forged = WireFormat.line(
            envelope: stolen.envelopeBytes, signature: Base64URL.encode(mallory.sign(stolen.envelopeBytes)), body: stolen.bodyBytes)
        // A known event (already in the target) with a changed body.
        let known = try WireFormat.verify(line: good[1]).get()
        let changed = WireFormat.line(
            envelope: known.envelopeBytes, signature: known.signature, body: JSONValue.object(["n": 1, "text": "changed"]).canonicalBytes)
        // Seq 5 by alice while seq 4 is missing from the file.
        let gap = try source.author([Fixtures.note(5)], key: Fixtures.alice)
        #expect(gap[0].isAccepted)
        let seq6 = try Fixtures.lines(source).last!

        var file: [UInt8] = []
        func add(_ l: [UInt8]) { file += l + [0x0A] }
        add(good[2])  // line 1: good
        add(Array("this is not json".utf8))  // line 2
        add([UInt8](repeating: 0x20, count: 10 << 20) + Array("{}".utf8))  // line 3: 10 MB
        add(forged)  // line 4
        add(foreign)  // line 5: another dataset
        add(changed)  // line 6: known event, changed body
        add(seq6)  // line 7: seq gap (seq 5 of alice's notes is not in the file)
        add(good[3])  // line 8: good
        file += Array(good[4].prefix(40))  // line 9: truncated, no newline

        // The same file read from disk as it is ingested, two lines a batch, into a twin of the
        // target: the same outcomes, line for line (the 10 MB line is skipped, not buffered).
        let twin = try EventLog(path: dir.file("twin.db"))
        _ = try twin.ingest(lines: Array(all[0...2]))
        try Data(file).write(to: URL(fileURLWithPath: dir.file("bad.ndjson")))
        let streamed = try NDJSONImport.run(path: dir.file("bad.ndjson"), into: twin, batchSize: 2)

        let result = try NDJSONImport.run(data: file, into: target)
        #expect(streamed.summary == result.summary)
        #expect(streamed.rejections.map(\.line) == result.rejections.map(\.line))
        #expect(streamed.rejections.map(\.code) == result.rejections.map(\.code))
        #expect(try Fixtures.lines(twin) == Fixtures.lines(target))
        // Only regular files are read.
        for path in [dir.path, "/dev/zero", dir.file("missing.ndjson")] {
            #expect(throws: InvalidInput.self) { try NDJSONImport.run(path: path, into: twin) }
        }
        let byLine = Dictionary(uniqueKeysWithValues: result.rejections.map { ($0.line, $0.code) })
        #expect(result.summary.accepted == 2)
        #expect(byLine[2] == "malformed-json")
        #expect(byLine[3] == "too-large")
        #expect(byLine[4] == "bad-signature")
        #expect(byLine[5] == "wrong-dataset")
        #expect(byLine[6] == "body-hash-mismatch")
        #expect(byLine[7] == "seq-gap")
        #expect(byLine[9] == "malformed-json")
        #expect(result.rejections.allSatisfy { !$0.reason.isEmpty })
        // The log holds exactly what it held plus the two good lines, and still verifies.
        let after = try Fixtures.lines(target)
        #expect(after == before + [good[2], good[3]])
        #expect(try target.verify().isClean)
    }

    @Test func outOfOrderWithinABatchLands() throws {
        let dir = TempDir()
        let source = try Fixtures.node(dir, "s.db")
        _ = try source.author((0..<10).map { Fixtures.note($0) }, key: Fixtures.alice)
        let lines = try Fixtures.lines(source)
        let target = try EventLog(path: dir.file("t.db"))
        let out = try target.ingest(lines: lines.reversed())
        #expect(out.allSatisfy { $0.isAccepted })
        #expect(try target.verify().isClean)
    }

    @Test func equivocationIsKeptAsEvidenceAndNotApplied() throws {
        let dir = TempDir()
        let a = try Fixtures.node(dir, "a.db")
        let lines = try Fixtures.lines(a)
        let b = try EventLog(path: dir.file("b.db"))
        _ = try b.ingest(lines: lines)
        // Alice signs two different seq-2 events on two nodes.
        let first = try a.author([Fixtures.note(1)], key: Fixtures.alice)
        let second = try b.author([Fixtures.note(2)], key: Fixtures.alice)
        guard case .accepted(let firstID) = first[0], case .accepted(let secondID) = second[0] else { Issue.record(); return }
        let out = try a.ingest(lines: [Fixtures.lines(b).last!])
        guard case .rejected(let r) = out[0] else { Issue.record("fork applied"); return }
        #expect(r.code == .equivocation)
        let forks = try a.forks()
        #expect(forks.count == 1)
        #expect(forks[0].existingID == firstID && forks[0].forkID == secondID && forks[0].seq == 3)
        #expect(try a.eventCount() == 3)
        // Seeing it again records nothing new.
        _ = try a.ingest(lines: [Fixtures.lines(b).last!])
        #expect(try a.forks().count == 1)
    }

    @Test func authoringNeedsADataset() throws {
        let dir = TempDir()
        let log = try EventLog(path: dir.file("x.db"))
        #expect(throws: NoDataset.self) { try log.author([Fixtures.note(1)], key: Fixtures.alice) }
        #expect(try log.eventCount() == 0)
    }
}
