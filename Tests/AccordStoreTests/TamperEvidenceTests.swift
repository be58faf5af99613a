import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

/// `verify` re-reads stored bytes: an edit made behind the log's back is found and named.
@Suite struct TamperEvidenceTests {
    static let dropTriggers =
        "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER bodies_no_update; DROP TRIGGER bodies_delete_only_redacted;"

    @Test func oneChangedByteIsNamed() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let out = try log.author((0..<5).map { Fixtures.note($0) }, key: Fixtures.alice)
        guard case .accepted(let victim) = out[2] else { Issue.record(); return }
        try log.checkpoint()
        // Change one byte of the stored envelope: "bench.note" -> "bench.nota".
        let (status, err) = try Fixtures.sqlite3(
            dir.file("node.db"),
            Self.dropTriggers
                + " UPDATE events SET envelope = CAST(replace(CAST(envelope AS TEXT), 'bench.note', 'bench.nota') AS BLOB) WHERE id = '\(victim)';"
        )
        #expect(status == 0, "\(err)")
        let report = try EventLog(path: dir.file("node.db")).verify()
        #expect(!report.isClean)
        #expect(report.problems.contains { $0.id == victim })
        #expect(report.problems.allSatisfy { $0.id == victim }, "\(report.problems)")
    }

    @Test func aChangedBodyIsNamed() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let out = try log.author([Fixtures.note(1), Fixtures.note(2)], key: Fixtures.alice)
        guard case .accepted(let victim) = out[1] else { Issue.record(); return }
        try log.checkpoint()
        let (status, _) = try Fixtures.sqlite3(
            dir.file("node.db"),
            Self.dropTriggers
                + " UPDATE bodies SET body = CAST(replace(CAST(body AS TEXT), 'note 2', 'note 3') AS BLOB) WHERE pos = (SELECT pos FROM events WHERE id = '\(victim)');"
        )
        #expect(status == 0)
        let report = try EventLog(path: dir.file("node.db")).verify()
        #expect(report.problems.map(\.id) == [victim])
        #expect(report.problems[0].message.contains("body-hash-mismatch"))
    }

    @Test func aMissingEventIsAGap() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        _ = try log.author((0..<5).map { Fixtures.note($0) }, key: Fixtures.alice)
        try log.checkpoint()
        let (status, _) = try Fixtures.sqlite3(
            dir.file("node.db"), Self.dropTriggers + " DELETE FROM bodies WHERE pos = 4; DELETE FROM events WHERE pos = 4;")
        #expect(status == 0)
        let report = try EventLog(path: dir.file("node.db")).verify()
        #expect(report.problems.contains { $0.message.contains("gap") && $0.message.contains("seq 4") }, "\(report.problems)")
    }

    @Test func aBodyDeletedWithoutARedactionIsNamed() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let out = try log.author([Fixtures.note(1)], key: Fixtures.alice)
        guard case .accepted(let victim) = out[0] else { Issue.record(); return }
        try log.checkpoint()
        let (status, _) = try Fixtures.sqlite3(
            dir.file("node.db"),
            Self.dropTriggers + " DELETE FROM bodies WHERE pos = (SELECT pos FROM events WHERE id = '\(victim)');")
        #expect(status == 0)
        let report = try EventLog(path: dir.file("node.db")).verify()
        #expect(report.problems.map(\.id) == [victim])
        #expect(report.problems.first?.message.contains("no redaction") == true)
    }
}
