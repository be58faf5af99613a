import AccordCore
import Foundation
import GRDB

/// Bodies a node is owed. A body may be missing on the wire only because its event was
/// redacted. An event that arrives without one while no redaction of it is known is stored
/// and chained (its successors can follow) but kept out of the read models: "body pending".
/// It takes effect when a copy with the body arrives from any peer (sync asks for it by id)
/// and is settled for good when a valid redaction of it arrives. Genesis and membership
/// events without a body are refused outright: who may write must never wait.
extension EventLog {
    /// The ids of events whose body this node still waits for.
    public func pendingBodyIDs(limit: Int = .max) throws -> [String] {
        try pool.read { db in try Self.pendingBodyIDs(db, limit: limit) }
    }

    static func pendingBodyIDs(_ db: Database, limit: Int) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT event_id FROM pending_bodies ORDER BY pos LIMIT ?", arguments: [min(limit, Int(Int32.max))])
    }

    /// How many bodies this node still waits for.
    public func pendingBodyCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_bodies") ?? 0 }
    }

    /// Stored events with these ids, with their bodies (what a peer asked for).
    public func events(ids: [String]) throws -> [StoredEvent] {
        try pool.read { db in try Self.events(db, ids: ids) }
    }

    static func events(_ db: Database, ids: [String]) throws -> [StoredEvent] {
        try ids.compactMap { id in
            try Row.fetchOne(db.cachedStatement(sql: StoredEvent.selectSQL + " WHERE e.id = ?"), arguments: [id])
                .map(StoredEvent.init(row:))
        }.filter { $0.bodyBytes != nil }
    }
}
