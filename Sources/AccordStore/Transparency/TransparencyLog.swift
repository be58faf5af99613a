public import AccordCore
import Foundation
import GRDB

/// This node's transparency log: every stored event is a leaf (its 32-byte id) at a dense
/// log index in the order this node appended it, kept as an RFC 6962 tree of stored
/// complete subtrees (`Merkle.storedHashes`), grown in the transaction that stores the events.
public enum TransparencyLog {
    /// Appends a leaf for each event stored since the last one (inside the write transaction
    /// that stored them). Events are never removed nor reordered, so the leaves only grow.
    static func extend(_ db: Database) throws {
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT max(idx), max(pos) FROM tlog_leaves"))
        var next = (last?[0] as Int?).map { $0 + 1 } ?? 0
        let after = (last?[1] as Int64?) ?? 0
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT pos, id FROM events WHERE pos > ? ORDER BY pos"), arguments: [after])
        guard !rows.isEmpty else { return }
        var fresh: [Int: [Int: Merkle.Hash]] = [:]
        let read = try db.cachedStatement(sql: "SELECT hash FROM tlog_hashes WHERE level = ? AND idx = ?")
        let insertLeaf = try db.cachedStatement(sql: "INSERT INTO tlog_leaves(idx, pos) VALUES (?, ?)")
        let insertHash = try db.cachedStatement(sql: "INSERT INTO tlog_hashes(level, idx, hash) VALUES (?, ?, ?)")
        for row in rows {
            let pos: Int64 = row[0]
            let id: String = row[1]
            guard let raw = Hex.decode(id), raw.count == 32 else { throw TransparencyError("event \(id.prefix(16)) has no 32-byte id") }
            let hashes = try Merkle.storedHashes(appending: Merkle.leafHash(raw), at: next) { level, index in
                if let h = fresh[level]?[index] { return h }
                guard let data = try Data.fetchOne(read, arguments: [level, index]) else {
                    throw TransparencyError("the tree lacks its subtree \(level)/\(index)")
                }
                return Array(data)
            }
            try insertLeaf.execute(arguments: [next, pos])
            for h in hashes {
                try insertHash.execute(arguments: [h.level, h.index, Data(h.hash)])
                fresh[h.level, default: [:]][h.index] = h.hash
            }
            next += 1
        }
    }

    /// Reads complete subtrees from the database.
    static func reader(_ db: Database) throws -> (Int, Int) throws -> Merkle.Hash {
        let read = try db.cachedStatement(sql: "SELECT hash FROM tlog_hashes WHERE level = ? AND idx = ?")
        return { level, index in
            guard let data = try Data.fetchOne(read, arguments: [level, index]) else {
                throw TransparencyError("the tree lacks its subtree \(level)/\(index)")
            }
            return Array(data)
        }
    }

    static func size(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(idx) + 1, 0) FROM tlog_leaves")) ?? 0
    }

    static func root(_ db: Database, size: Int) throws -> Merkle.Hash { try Merkle.root(size: size, stored: try reader(db)) }

    /// The log index of an event (by id), if this node holds it.
    static func index(_ db: Database, id: String) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT l.idx FROM events e JOIN tlog_leaves l ON l.pos = e.pos WHERE e.id = ?", arguments: [id])
    }

    /// The event ids at log indexes lo ..< hi, in order (entry bundles, auditors).
    static func ids(_ db: Database, from lo: Int, to hi: Int) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT e.id FROM tlog_leaves l JOIN events e ON e.pos = l.pos WHERE l.idx >= ? AND l.idx < ? ORDER BY l.idx",
            arguments: [lo, hi])
    }
}

/// The transparency log cannot answer as asked (a size it never had, an unknown event), or a
/// stored tree is broken.
public struct TransparencyError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
