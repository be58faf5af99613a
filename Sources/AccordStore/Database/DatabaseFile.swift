import AccordCore
import Foundation
import GRDB

/// Everything about the database as a file: what opening one refuses, copies of it, and
/// folding its WAL.
enum DatabaseFile {
    /// A database written by a newer version is refused before anything opens it for writing.
    static func refuseNewerSchema(at path: String, migrator: DatabaseMigrator) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        var readOnly = Configuration()
        readOnly.readonly = true
        // (A read-only connection may leave the WAL's empty side files beside the database;
        // removing them could pull them from under another process that opened it since.)
        var applied: Set<String>?
        if let queue = try? DatabaseQueue(path: path, configuration: readOnly) {
            applied = try? queue.read({ db in try db.tableExists("grdb_migrations") ? migrator.appliedIdentifiers(db) : [] })
            try? queue.close()
        }
        guard let applied else { return }
        let newer = applied.subtracting(migrator.migrations)
        if !newer.isEmpty {
            throw IncompatibleDatabase(
                "\(path) was written by a newer version of accord (schema \(newer.sorted().joined(separator: ", "))); "
                    + "upgrade accord to open it; the database was not changed")
        }
    }
}

extension EventLog {
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

    /// The WAL is folded into the main file (for raw-file checks and backups).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// A connection of its own that folds the WAL into the database in the background
    /// (PASSIVE: it waits for no reader and blocks no writer), so that the writer's own
    /// automatic checkpoint, which runs inside a commit, rarely has anything to do.
    /// Nil for a database in memory (it has no WAL).
    public func backgroundCheckpointer() throws -> Checkpointer? { try path.map(Checkpointer.init(path:)) }

    /// Reads the `synchronous` pragma of the writer connection (0 OFF, 1 NORMAL, 2 FULL).
    public func synchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
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
