import AccordCore
import Foundation
import GRDB

/// A node's database: the append-only event log and the read models projected from it.
/// All writes go through `ingest` or `author`, which run the one ingest pipeline.
public struct EventLog: Sendable {
    /// The connections; only this module reads and writes through them (every write is an
    /// append through the one pipeline).
    let pool: DatabasePool
    public let path: String
    let projectors: [any Projector]

    /// Opens (creating if needed) the database at `path`, in WAL mode, migrated.
    /// - Parameters:
    ///   - durable: `synchronous = FULL`: a commit returns once it is on disk, so an
    ///     acknowledged write survives a power loss (NORMAL survives a process crash only).
    ///   - maxBytes: the database does not grow beyond this size; a write that would
    ///     fails with `StorageFullError` and changes nothing (SQLite's `max_page_count`).
    /// The read models every node keeps: the curated dataset. A log opened without naming
    /// its projectors projects into these, so no caller appends without projecting.
    public static var standardProjectors: [any Projector] { [CurationProjector()] }

    public init(
        path: String, projectors: [any Projector] = EventLog.standardProjectors, durable: Bool = false, maxBytes: Int64? = nil
    )
        throws
    {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA recursive_triggers = ON")
            // Redacted bodies and the read-model rows derived from them are zeroed, not just unlinked.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Readers keep a small page cache; the writer gets a large one below.
            // (16 readers x 4 MiB + the writer's 64 MiB bound a serving node's page caches.)
            try db.execute(sql: "PRAGMA cache_size = -4096")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        config.busyMode = .timeout(10)
        // Readers for a serving node's concurrent requests (GRDB's default is 5).
        config.maximumReaderCount = 16
        let migrator = Self.migrator(projectors: projectors)
        // A database written by a newer version is refused before anything opens it for writing.
        if FileManager.default.fileExists(atPath: path) {
            var readOnly = Configuration()
            readOnly.readonly = true
            // (A read-only connection may leave the WAL's empty side files beside the database;
            // removing them could pull them from under another process that opened it since.)
            var applied: Set<String>?
            if let queue = try? DatabaseQueue(path: path, configuration: readOnly) {
                applied = try? queue.read({ db in try db.tableExists("grdb_migrations") ? migrator.appliedIdentifiers(db) : [] })
                try? queue.close()
            }
            if let applied {
                let newer = applied.subtracting(migrator.migrations)
                if !newer.isEmpty {
                    throw IncompatibleDatabase(
                        "\(path) was written by a newer version of accord (schema \(newer.sorted().joined(separator: ", "))); "
                            + "upgrade accord to open it; the database was not changed")
                }
            }
        }
        let pool = try DatabasePool(path: path, configuration: config)
        try migrator.migrate(pool)
        // Bulk ingest rewrites the same index pages: the writer caches more and checkpoints less often.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -65536") }
        if durable {
            // DatabasePool sets NORMAL after prepareDatabase; FULL must be set afterwards.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        }
        if let maxBytes {
            try pool.writeWithoutTransaction { db in
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxBytes / pageSize))")
            }
        }
        self.pool = pool
        self.path = path
        self.projectors = projectors
        try rejudgeIfAsked()
    }

    /// Every migration of a node's database with these read models, in order.
    static func migrator(projectors: [any Projector]) -> DatabaseMigrator {
        var migrator = Migrations.migrator
        for p in projectors { p.registerMigrations(&migrator) }
        registerPeerMigration(&migrator)
        MembershipBook.register(&migrator)
        registerPendingBodies(&migrator)
        MembershipBook.registerStamp(&migrator)
        return migrator
    }

    /// The schema this version writes with these read models: its newest migration's name
    /// (migrations are named `vN-…`; the read models register theirs among the log's).
    public static func schemaVersion(projectors: [any Projector]) -> String {
        func number(_ name: String) -> Int { Int(name.dropFirst().prefix { $0.isNumber }) ?? 0 }
        return migrator(projectors: projectors).migrations.max { number($0) < number($1) } ?? "-"
    }

    /// A consistent copy of the database while the node serves and writes (SQLite's online
    /// backup, through GRDB), written to `path`, which must not exist. Returns the copy's
    /// event count.
    public func backup(to path: String) throws -> Int {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw InvalidInput("\(path) already exists; back up to a new file")
        }
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        return try copy.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    /// Whether `path` is a database this program made (an SQLite file with the log's
    /// tables), checked read-only so nothing is created or changed.
    public static func isAccordDatabase(path: String) -> Bool {
        var config = Configuration()
        config.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: config) else { return false }
        return (try? queue.read { db in try db.tableExists("events") && db.tableExists("meta") }) ?? false
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

    public func eventCount() throws -> Int {
        // Positions are dense (rowids are max + 1, and triggers refuse every delete), so the
        // last one is the count: O(1), where count(*) would scan the log on every /health.
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(pos), 0) FROM events") ?? 0 }
    }

    /// The WAL is folded into the main file (for raw-file checks and backups).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// A connection of its own that folds the WAL into the database in the background
    /// (PASSIVE: it waits for no reader and blocks no writer), so that the writer's own
    /// automatic checkpoint, which runs inside a commit, rarely has anything to do.
    public func backgroundCheckpointer() throws -> Checkpointer { try Checkpointer(path: path) }

    /// Reads the `synchronous` pragma of the writer connection (0 OFF, 1 NORMAL, 2 FULL).
    public func synchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
}

/// One stored event as the log holds it.
public struct StoredEvent: Sendable {
    public let pos: Int64
    public let id: String
    public let author: String
    public let seq: Int
    public let type: String
    public let subject: String?
    public let time: String
    public let envelopeBytes: [UInt8]
    public let signature: String
    public let bodyBytes: [UInt8]?

    public var wireLine: [UInt8] { WireFormat.line(envelope: envelopeBytes, signature: signature, body: bodyBytes) }

    static let selectSQL = """
        SELECT e.pos, e.id, e.author, e.seq, e.type, e.subject, e.time, e.envelope, e.sig, b.body
        FROM events e LEFT JOIN bodies b ON b.pos = e.pos
        """

    init(row: Row) {
        pos = row[0]
        id = row[1]
        author = row[2]
        seq = row[3]
        type = row[4]
        subject = row[5]
        time = row[6]
        envelopeBytes = (try? row.withUnsafeData(atIndex: 7) { $0.map { [UInt8]($0) } }) ?? []
        signature = row[8]
        bodyBytes = try? row.withUnsafeData(atIndex: 9) { $0.map { [UInt8]($0) } }
    }

    /// Fork evidence as a line to pass on: the second signed envelope for a seq, without a
    /// body (`pos` 0; it is no stored event). A node that holds the other event at that seq
    /// takes it as evidence of the fork, so the fork point travels with exports and syncs.
    static let evidenceSQL = "SELECT fork_id, author, seq, envelope, sig FROM forks"

    init(evidence row: Row) {
        pos = 0
        id = row[0]
        author = row[1]
        seq = row[2]
        envelopeBytes = (try? row.withUnsafeData(atIndex: 3) { $0.map { [UInt8]($0) } }) ?? []
        signature = row[4]
        bodyBytes = nil
        let envelope = try? JSONParser.parse(envelopeBytes)
        type = envelope?["type"]?.stringValue ?? ""
        subject = envelope?["subject"]?.stringValue
        time = envelope?["time"]?.stringValue ?? ""
    }
}

extension EventLog {
    /// Calls `body` with the stored events in log order, in chunks, from position `after`.
    public func forEachChunk(after: Int64 = 0, chunkSize: Int = 4096, _ body: ([StoredEvent]) throws -> Void) throws {
        var last = after
        while true {
            let chunk = try readChunk(after: last, limit: chunkSize)
            if chunk.isEmpty { return }
            try body(chunk)
            last = chunk.last!.pos
        }
    }

    /// Up to `limit` stored events after log position `after`, read through a cursor.
    public func readChunk(after: Int64, limit: Int) throws -> [StoredEvent] {
        try pool.read { db in
            var out: [StoredEvent] = []
            out.reserveCapacity(limit)
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: StoredEvent.selectSQL + " WHERE e.pos > ? ORDER BY e.pos LIMIT ?"),
                arguments: [after, limit])
            while let row = try rows.next() { out.append(StoredEvent(row: row)) }
            return out
        }
    }

    public func event(id: String) throws -> StoredEvent? {
        try pool.read { db in
            try Row.fetchOne(db, sql: StoredEvent.selectSQL + " WHERE e.id = ?", arguments: [id]).map(StoredEvent.init(row:))
        }
    }

    /// The event an id or a unique prefix of one (at least 8 hex digits) names. Throws
    /// `EventNotFound`, or `InvalidInput` for text that is no id or a prefix several events share
    /// (naming them).
    public func event(idOrPrefix text: String) throws -> StoredEvent {
        let p = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard p.count >= 8, p.count <= 64, p.allSatisfy({ $0.isHexDigit && $0.isASCII }) else {
            throw InvalidInput("\"\(text.prefix(70))\" is not an event id: give its 64 hex digits or at least its first 8")
        }
        let ids = try pool.read { db in
            // The ids from the prefix on, by the unique index: a range, never a scan.
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM events WHERE id >= ? AND id <= ? ORDER BY id LIMIT 6"),
                arguments: [p, p + String(repeating: "g", count: 64 - p.count)])
        }
        guard let first = ids.first else { throw EventNotFound(id: p) }
        if ids.count > 1 {
            throw InvalidInput(
                "\(p) is the start of \(ids.count == 6 ? "more than 5" : String(ids.count)) events: \(ids.prefix(5).map { String($0.prefix(16)) }.joined(separator: ", ")); give more digits"
            )
        }
        guard let e = try event(id: first) else { throw EventNotFound(id: p) }
        return e
    }

    /// Writes the whole log in wire form, one event per line, in log order.
    public func exportNDJSON(to handle: FileHandle) throws -> Int {
        var n = 0
        try forEachChunk { chunk in
            var out: [UInt8] = []
            for e in chunk {
                out.append(contentsOf: e.wireLine)
                out.append(0x0A)
            }
            handle.write(Data(out))
            n += chunk.count
        }
        // Then the fork evidence, after the events it contradicts: an import of this file
        // finds the same fork points as this node, so it applies the same `ForkRule` cut.
        let evidence = try pool.read { db in
            try Row.fetchAll(db, sql: StoredEvent.evidenceSQL + " ORDER BY author, seq, fork_id").map(StoredEvent.init(evidence:))
        }
        var out: [UInt8] = []
        for e in evidence {
            out.append(contentsOf: e.wireLine)
            out.append(0x0A)
        }
        if !out.isEmpty { handle.write(Data(out)) }
        return n
    }

    /// Recorded equivocations.
    public func forks() throws -> [Fork] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT author, seq, existing_id, fork_id, detected_at FROM forks ORDER BY detected_at, fork_id")
                .map { Fork(author: $0[0], seq: $0[1], existingID: $0[2], forkID: $0[3], detectedAt: $0[4]) }
        }
    }
}

/// Evidence that an author signed two different events with the same seq.
public struct Fork: Sendable, Codable, Equatable {
    public let author: String
    public let seq: Int
    public let existingID: String
    public let forkID: String
    public let detectedAt: String
}

/// Background WAL checkpoints for a serving node (`EventLog.backgroundCheckpointer`).
public final class Checkpointer: Sendable {
    let queue: DatabaseQueue

    init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(1)
        queue = try DatabaseQueue(path: path, configuration: config)
    }

    /// One passive checkpoint; returns the WAL's frames and how many are now in the database.
    @discardableResult
    public func checkpoint() async throws -> (walFrames: Int, checkpointed: Int) {
        let (frames, done) = try await queue.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        return (frames, done)
    }
}

/// A redaction of an event: who erased its body, when, and why.
public struct Redaction: Sendable, Codable, Equatable {
    public let id: String
    public let target: String
    public let author: String
    public let time: String
    public let reason: String
}

extension EventLog {
    /// The redacted events about `subject` (a record's symbol): each target with its redaction.
    /// Reads the redactions (a partial index) and their targets by id: the cost follows the
    /// number of redactions, not the log's length.
    public func redactedEvents(subject: String) throws -> [(target: StoredEvent, redaction: Redaction)] {
        let targets = try pool.read { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT t.id FROM events r JOIN events t ON t.id = r.subject
                        WHERE r.type = 'event.redacted' AND t.subject = ?
                        """), arguments: [subject])
        }
        let redactions = try self.redactions(of: targets)
        return try targets.compactMap { id in
            guard let e = try event(id: id), let r = redactions[id] else { return nil }
            return (e, r)
        }
    }

    /// The redactions of the given events, by target (the latest when several).
    public func redactions(of targets: [String]) throws -> [String: Redaction] {
        guard !targets.isEmpty else { return [:] }
        return try pool.read { db in
            var out: [String: Redaction] = [:]
            let statement = try db.cachedStatement(
                sql: "SELECT e.pos FROM events e WHERE e.type = 'event.redacted' AND e.subject = ? ORDER BY e.pos")
            for target in Set(targets) {
                for pos in try Int64.fetchAll(statement, arguments: [target]) {
                    guard let row = try Row.fetchOne(db, sql: StoredEvent.selectSQL + " WHERE e.pos = ?", arguments: [pos]) else {
                        continue
                    }
                    let e = StoredEvent(row: row)
                    let reason = e.bodyBytes.flatMap { try? JSONParser.parse($0) }?["reason"]?.stringValue ?? ""
                    out[target] = Redaction(id: e.id, target: target, author: e.author, time: e.time, reason: reason)
                }
            }
            return out
        }
    }
}
