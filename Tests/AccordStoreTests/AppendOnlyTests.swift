import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import AccordStore

/// The log is append-only in SQLite itself, for every client.
@Suite struct AppendOnlyTests {
    @Test func theSqliteShellCannotRewriteTheLog() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        _ = try log.author((0..<3).map { Fixtures.note($0) }, key: Fixtures.alice)
        try log.checkpoint()
        let db = dir.file("node.db")
        let before = try Fixtures.lines(log)
        let attempts = [
            "UPDATE events SET sig = 'x' WHERE pos = 2",
            "DELETE FROM events WHERE pos = 2",
            "INSERT OR REPLACE INTO events SELECT * FROM events WHERE pos = 2",
            "INSERT OR REPLACE INTO events(pos, id, author, seq, prev, type, subject, time, envelope, sig) SELECT pos + 100, id, author, seq, prev, type, subject, time, envelope, 'x' FROM events WHERE pos = 2",
            "REPLACE INTO events(id, author, seq, prev, type, subject, time, envelope, sig) SELECT id, author, seq + 100, prev, type, subject, time, envelope, 'x' FROM events WHERE pos = 2",
            "UPDATE bodies SET body = x'00' WHERE pos = 2",
            "DELETE FROM bodies WHERE pos = 2",
            "INSERT OR REPLACE INTO bodies(pos, body) VALUES (2, x'7b7d')",
        ]
        for sql in attempts {
            let (status, err) = try Fixtures.sqlite3(db, sql)
            #expect(status != 0, "sqlite3 accepted: \(sql)")
            #expect(err.contains("append-only") || err.contains("immutable") || err.contains("redaction"), "\(sql): \(err)")
        }
        #expect(try Fixtures.lines(log) == before)
        #expect(try log.verify().isClean)
    }

    @Test func grdbReplaceIsRefusedToo() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        #expect(throws: DatabaseError.self) {
            try log.pool.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO events SELECT * FROM events WHERE pos = 1")
            }
        }
        #expect(try log.eventCount() == 2)
    }

    @Test func durableModeIsReallyFull() throws {
        let dir = TempDir()
        let log = try EventLog(path: dir.file("d.db"), durable: true)
        #expect(try log.synchronousMode() == 2)
        let normal = try EventLog(path: dir.file("n.db"))
        #expect(try normal.synchronousMode() == 1)
        let mode = try normal.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}

/// The append stage hands each read model only the event types it reads.
@Suite struct ProjectorTypeTests {
    /// Records the types of the events it is handed.
    final class Recorder: Projector, @unchecked Sendable {
        let wanted: String?
        let seen = Mutex<[String]>([])
        init(reading wanted: String?) { self.wanted = wanted }
        func reads(type: String) -> Bool { wanted.map { $0 == type } ?? true }
        func apply(_ batch: [ProjectedEvent], db: Database) throws {
            seen.withLock { $0 += batch.map(\.event.envelope.type) }
        }
        func setValidity(_ ids: [String], valid: Bool, db: Database) throws {}
        func redact(_ id: String, db: Database) throws {}
        func reset(db: Database) throws {}
    }

    @Test func aReadModelIsHandedOnlyTheTypesItReads() throws {
        let dir = TempDir()
        let notes = Recorder(reading: "bench.note")
        let everything = Recorder(reading: nil)
        let log = try Fixtures.node(dir, projectors: [notes, everything])
        let other = EventDraft(type: "bench.other", subject: "A/RES/71/19", body: ["n": .int(1)])
        _ = try log.author([Fixtures.note(1), other, Fixtures.note(2)], key: Fixtures.alice)
        #expect(notes.seen.withLock { $0 } == ["bench.note", "bench.note"])
        // A read model that does not say which types it reads is handed every one.
        #expect(everything.seen.withLock { $0 }.filter { $0.hasPrefix("bench.") } == ["bench.note", "bench.other", "bench.note"])
        #expect(everything.seen.withLock { $0 }.contains(Envelope.genesisType))
        // A rebuild too.
        try log.rebuild()
        #expect(notes.seen.withLock { $0 } == Array(repeating: "bench.note", count: 4))
        // Received events take the same path.
        let received = Recorder(reading: "bench.other")
        let peerDir = TempDir()
        let peer = try EventLog(path: peerDir.file("peer.db"), projectors: [received])
        #expect(try peer.ingest(lines: Fixtures.lines(log)).allSatisfy(\.isAccepted))
        #expect(received.seen.withLock { $0 } == ["bench.other"])
    }
}

/// The byte search that picks out the lines that may carry a grant.
@Suite struct AdmissionSearchTests {
    @Test func findsTheMarkerWhereverItIsAndOnlyThere() {
        let marker = Array("member.granted".utf8)
        func has(_ s: String) -> Bool { Admission.contains(Array(s.utf8), marker) }
        #expect(has("member.granted"))
        #expect(has("member.granted\"}"))
        #expect(has("{\"type\":\"member.granted\"}"))
        #expect(has("{\"type\":\"mmember.grantemember.granted"))
        #expect(!has("{\"type\":\"member.grante\"}"))
        #expect(!has("member.grante"))
        #expect(!has("ember.granted"))
        #expect(!has(""))
        #expect(!has("mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"))
        #expect(Admission.contains([1, 2, 3], []))
    }
}
