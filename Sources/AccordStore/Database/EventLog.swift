import AccordCore
import Foundation
import GRDB

/// A node's database: the append-only event log and the read models projected from it,
/// over one GRDB writer (a `DatabasePool` on disk, a `DatabaseQueue` in memory for tests).
/// All writes go through `ingest` or `author`, which run the one ingest pipeline.
///
/// The database is split by concern, one folder each: `Schema/` (the one migrator),
/// `Log/` (reading, verifying, rebuilding the log), `Ingest/` (the one way in),
/// `Membership/`, `Redaction/`, `Sync/` (what a peer is sent), `Peers/`, `Curation/`.
public struct EventLog: Sendable {
    /// The connections; only this module reads and writes through them (every write is an
    /// append through the one pipeline).
    let pool: any DatabaseWriter
    /// The database file, nil for a database in memory.
    public let path: String?
    let projectors: [any Projector]

    /// The read models every node keeps: the curated dataset. A log opened without naming
    /// its projectors projects into these, so no caller appends without projecting.
    public static var standardProjectors: [any Projector] { [CurationProjector()] }

    /// The schema this version writes (the newest migration of `NodeSchema`).
    public static var schemaVersion: String { NodeSchema.version }

    /// Opens (creating if needed) the database at `path`, in WAL mode, migrated.
    /// - Parameters:
    ///   - durable: `synchronous = FULL`: a commit returns once it is on disk, so an
    ///     acknowledged write survives a power loss (NORMAL survives a process crash only).
    ///   - maxBytes: the database does not grow beyond this size; a write that would
    ///     fails with `StorageFullError` and changes nothing (SQLite's `max_page_count`).
    public init(
        path: String, projectors: [any Projector] = EventLog.standardProjectors, durable: Bool = false, maxBytes: Int64? = nil
    ) throws {
        try DatabaseFile.refuseNewerSchema(at: path, migrator: NodeSchema.migrator)
        var config = Self.configuration()
        // Readers for a serving node's concurrent requests (GRDB's default is 5).
        config.maximumReaderCount = 16
        let pool = try DatabasePool(path: path, configuration: config)
        try self.init(writer: pool, path: path, projectors: projectors, durable: durable, maxBytes: maxBytes)
    }

    /// A node database in memory: the same schema, pipeline and read models, nothing on
    /// disk (tests). One connection serves reads and writes.
    public static func inMemory(projectors: [any Projector] = EventLog.standardProjectors, maxBytes: Int64? = nil) throws -> EventLog {
        try EventLog(
            writer: DatabaseQueue(configuration: configuration()), path: nil, projectors: projectors, durable: false, maxBytes: maxBytes)
    }

    init(writer: any DatabaseWriter, path: String?, projectors: [any Projector], durable: Bool, maxBytes: Int64?) throws {
        try NodeSchema.migrator.migrate(writer)
        // Bulk ingest rewrites the same index pages: the writer caches more and checkpoints less often.
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -65536") }
        if durable {
            // DatabasePool sets NORMAL after prepareDatabase; FULL must be set afterwards.
            try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        }
        if let maxBytes {
            try writer.writeWithoutTransaction { db in
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxBytes / pageSize))")
            }
        }
        self.pool = writer
        self.path = path
        self.projectors = projectors
        try rejudgeIfAsked()
    }

    /// Every connection's settings.
    static func configuration() -> Configuration {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA recursive_triggers = ON")
            // Redacted bodies and the read-model rows derived from them are zeroed, not just unlinked.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Readers keep a small page cache; the writer gets a large one (the initializer).
            // (16 readers x 4 MiB + the writer's 64 MiB bound a serving node's page caches.)
            try db.execute(sql: "PRAGMA cache_size = -4096")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        config.busyMode = .timeout(10)
        return config
    }

    /// The dataset id (the genesis event's id), nil before a genesis is ingested.
    public func datasetID() throws -> String? {
        try pool.read { db in try Self.meta(db, "dataset") }
    }

    /// The dataset id, read without blocking a thread (GRDB's async access).
    public func readDatasetID() async throws -> String? {
        try await pool.read { db in try Self.meta(db, "dataset") }
    }

    public func datasetName() throws -> String? {
        try pool.read { db in try Self.meta(db, "name") }
    }

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key])
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [key, value])
    }
}
