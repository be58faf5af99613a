import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// A database written by an earlier release opens with the current code: migrated, still
/// verifying, its read models re-derived to what a rebuild gives, its records intact.
@Suite struct UpgradeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schema-v5.db").path

    @Test func aSchemaV5DatabaseMigratesAndKeepsItsRecords() throws {
        let dir = TempDir()
        let path = dir.file("old.db")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: path)
        // What the old release materialised, read before the new code opens the file.
        let (status, _) = try Fixtures.sqlite3(path, "SELECT 1")
        #expect(status == 0)
        let log = try EventLog(path: path, projectors: [CurationProjector()])
        let applied = try log.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.contains("v6-curation-rowid-search"))
        #expect(try log.eventCount() == 44)
        #expect(try log.verify().isClean)
        let c = Curation(log: log)
        let migrated = try c.digest()
        let first = try #require(try c.state(try ResolutionSymbol(parsing: "A/RES/71/19")))
        #expect(
            first.value(.title)
                == .string("Cooperation between the United Nations and the International Criminal Police Organization (INTERPOL)"))
        #expect(try c.symbols().count == 12)
        #expect(try c.search("INTERPOL").contains { $0.symbol == "A/RES/71/19" })
        // The migrated read models are what the current projector derives from the log.
        try log.rebuild()
        #expect(try c.digest() == migrated)
    }
}
