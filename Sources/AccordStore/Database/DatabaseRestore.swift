import AccordCore
public import Foundation
import GRDB

/// What `accord restore --backup` did.
public struct RestoreReport: Sendable, Equatable {
    public let events: Int
    /// The log epoch the restored node signs under (one more than any it signed before).
    public let epoch: Int
    /// Where the database that was replaced was moved (nothing is deleted), nil if there was none.
    public let replacedMovedTo: String?
}

extension EventLog {
    /// Restores the node database at `path` from `backup` (a copy `accord backup` made), as a
    /// new log epoch: the restored log's checkpoints are signed under a new origin, so the node
    /// never signs two inconsistent checkpoints under one (peers see a new epoch announced, not
    /// a rewritten history). The backup is copied (never changed), migrated and checked before
    /// anything at `path` is touched; the database it replaces is moved aside, not deleted.
    /// The node must not be running.
    public static func restore(backup: String, to path: String, now: Date = Date()) throws -> RestoreReport {
        guard FileManager.default.fileExists(atPath: backup) else { throw InvalidInput("\(backup) does not exist") }
        guard isAccordDatabase(path: backup) else { throw InvalidInput("\(backup) is not an Accord database (`accord backup` makes one)") }
        let staging = path + ".restoring"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
        // A consistent copy through SQLite's backup, so a backup with a WAL beside it is whole.
        var readOnly = Configuration()
        readOnly.readonly = true
        let source = try DatabaseQueue(path: backup, configuration: readOnly)
        try source.backup(to: try DatabaseQueue(path: staging))
        try source.close()
        // The epoch after every epoch either database signed under.
        let before = FileManager.default.fileExists(atPath: path) ? (try? Self.epoch(at: path)) ?? 1 : 1
        let restored = try EventLog(path: staging, projectors: [])
        let report = try restored.verifyTransparencyLog()
        guard report.problems.isEmpty else {
            throw InvalidInput("\(backup) does not verify (\(report.problems[0])); nothing was restored")
        }
        let epoch = try restored.startEpoch(after: before)
        let events = try restored.eventCount()
        try restored.checkpoint()
        var moved: String?
        if FileManager.default.fileExists(atPath: path) {
            let stamp = ISO8601DateFormatter().string(from: now).replacingOccurrences(of: ":", with: "")
            let aside = "\(path).before-restore-\(stamp)"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            moved = aside
        }
        try FileManager.default.moveItem(atPath: staging, toPath: path)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
        return RestoreReport(events: events, epoch: epoch, replacedMovedTo: moved)
    }

    /// The log epoch of the database at `path`, read without changing it.
    static func epoch(at path: String) throws -> Int {
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: readOnly)
        defer { try? queue.close() }
        return try queue.read { db in Int(try meta(db, "log_epoch") ?? "1") ?? 1 }
    }

    /// Starts the epoch after this log's and after `other`; returns it.
    func startEpoch(after other: Int) throws -> Int {
        try pool.write { db in
            let epoch = max(Int(try Self.meta(db, "log_epoch") ?? "1") ?? 1, other) + 1
            try Self.setMeta(db, "log_epoch", String(epoch))
            return epoch
        }
    }
}
