import AccordCore
public import Foundation
import GRDB

extension EventLog {
    /// The author's last event on this node.
    static func head(_ db: Database, author: String) throws -> ChainHead? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, id FROM events WHERE author = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [author]
        ).map { ChainHead(seq: $0[0], id: $0[1]) }
    }

    public func eventCount() throws -> Int {
        // Positions are dense (rowids are max + 1, and triggers refuse every delete), so the
        // last one is the count: O(1), where count(*) would scan the log on every /health.
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(pos), 0) FROM events") ?? 0 }
    }

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
