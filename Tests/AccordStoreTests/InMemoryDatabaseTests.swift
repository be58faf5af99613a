import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

/// The node database in memory: the same migrator, pipeline and read models as on disk, so
/// store tests need no file. What a node does on disk, it does here, and ends in the same state.
@Suite struct InMemoryDatabaseTests {
    @Test func aNodeInMemoryCuratesVerifiesRebuildsAndMatchesOneOnDisk() throws {
        let memory = try EventLog.inMemory()
        #expect(memory.path == nil)
        #expect(try memory.backgroundCheckpointer() == nil)
        let out = try memory.author(
            [.genesis(name: "in memory"), AuthorizationEvent.granted(key: Fixtures.bob.author, role: .editor, name: "Bob").draft],
            key: Fixtures.alice)
        #expect(out.allSatisfy { $0.isAccepted })
        let c = Curation(log: memory)
        let report = try c.importRecords(CurationTests.seedData, csv: false, key: Fixtures.alice)
        #expect(report.created == 12, "\(report.errors)")
        try c.edit(.set(try c.existing("A/RES/72/1"), .notes, "kept in memory"), key: Fixtures.bob)
        // A node on disk and another in memory take its log and end in its state.
        let dir = TempDir()
        let lines = try memory.readChunk(after: 0, limit: 10_000).map(\.wireLine)
        for other in [try EventLog(path: dir.file("disk.db")), try EventLog.inMemory()] {
            #expect(try other.ingest(lines: lines).allSatisfy { $0.isAccepted })
            #expect(try Curation(log: other).symbols() == c.symbols())
            #expect(try Curation(log: other).digest() == c.digest())
        }
        #expect(try memory.verify().isClean)
        // A rebuild on the one connection reads the log inside its own transaction.
        let before = try c.digest()
        try memory.rebuild()
        #expect(try c.digest() == before)
        #expect(try c.state(try c.existing("A/RES/72/1"))?.value(.notes).stringValue == "kept in memory")
        #expect(EventLog.schemaVersion == "v13-witness-keys")
    }
}
