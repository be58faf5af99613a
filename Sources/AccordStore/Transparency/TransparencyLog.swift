public import AccordCore
import Foundation
import GRDB

/// This node's transparency log: every stored event is a leaf (its 32-byte id) at log index
/// `pos - 1`, in the order this node appended it, kept as an RFC 6962 tree grown in the
/// transaction that stores the events. `pos` is the events' `INTEGER PRIMARY KEY` (a rowid
/// alias, which VACUUM keeps) and dense (1, 2, 3 ...: events are never deleted, and a rolled
/// back insert takes no position), so the log needs no index table of its own.
///
/// Of the tree's complete subtrees (`Merkle.storedHashes`) only those of 16 leaves or more
/// (level 4 and up) are stored, about one row per eight events; the smaller ones are hashed
/// again from the event ids when a proof or a root needs them (at most 15 ids, one read).
public enum TransparencyLog {
    /// The lowest level of subtree kept in `tlog_hashes`.
    static let minStoredLevel = 4
    static var blockLeaves: Int { 1 << minStoredLevel }

    /// Grows the tree by the events just stored (inside the write transaction that stored
    /// them), given in their order with their positions.
    static func extend(_ db: Database, appended: [(pos: Int64, id: String)]) throws {
        guard let first = appended.first else { return }
        var next = Int(first.pos) - 1
        var fresh: [Int: [Int: Merkle.Hash]] = [:]
        let stored = try reader(db)
        let insertHash = try db.cachedStatement(sql: "INSERT INTO tlog_hashes(level, idx, hash) VALUES (?, ?, ?)")
        for (pos, id) in appended {
            guard Int(pos) - 1 == next else { throw TransparencyError("log positions are not dense: \(pos) follows \(next)") }
            guard let raw = Hex.decode(id), raw.count == 32 else { throw TransparencyError("event \(id.prefix(16)) has no 32-byte id") }
            let hashes = try Merkle.storedHashes(appending: Merkle.leafHash(raw), at: next) { level, index in
                if let h = fresh[level]?[index] { return h }
                return try stored(level, index)
            }
            for h in hashes {
                fresh[h.level, default: [:]][h.index] = h.hash
                if h.level >= minStoredLevel { try insertHash.execute(arguments: [h.level, h.index, Data(h.hash)]) }
            }
            next += 1
        }
    }

    /// Grows an empty tree by every event stored (the migration's backfill).
    static func extendFromStart(_ db: Database) throws {
        var after: Int64 = 0
        while true {
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT pos, id FROM events WHERE pos > ? ORDER BY pos LIMIT 10000"), arguments: [after])
            guard let last = rows.last else { return }
            try extend(db, appended: rows.map { ($0[0], $0[1]) })
            after = last[0]
        }
    }

    /// Reads complete subtrees: stored ones from `tlog_hashes`, smaller ones hashed from the
    /// event ids of their 16-leaf block (read once per reader).
    static func reader(_ db: Database) throws -> (Int, Int) throws -> Merkle.Hash {
        let read = try db.cachedStatement(sql: "SELECT hash FROM tlog_hashes WHERE level = ? AND idx = ?")
        let block = try db.cachedStatement(sql: "SELECT id FROM events WHERE pos > ? AND pos <= ? ORDER BY pos")
        let blocks = BlockCache()
        return { level, index in
            if level >= minStoredLevel {
                guard let data = try Data.fetchOne(read, arguments: [level, index]) else {
                    throw TransparencyError("the tree lacks its subtree \(level)/\(index)")
                }
                return Array(data)
            }
            let first = index << level
            let b = first / blockLeaves
            let leaves: [Merkle.Hash]
            if let cached = blocks.leaves[b] {
                leaves = cached
            } else {
                leaves = try String.fetchAll(block, arguments: [b * blockLeaves, (b + 1) * blockLeaves]).map {
                    Merkle.leafHash(Hex.decode($0) ?? [])
                }
                blocks.leaves[b] = leaves
            }
            let lo = first - b * blockLeaves
            guard lo + (1 << level) <= leaves.count else { throw TransparencyError("the tree lacks its subtree \(level)/\(index)") }
            return Merkle.root(leafHashes: Array(leaves[lo..<lo + (1 << level)]))
        }
    }

    /// The leaf hashes of one reader's 16-leaf blocks.
    final class BlockCache {
        var leaves: [Int: [Merkle.Hash]] = [:]
    }

    /// The tree's size: the number of events this node stores.
    static func size(_ db: Database) throws -> Int {
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(pos), 0) FROM events")) ?? 0
    }

    static func root(_ db: Database, size: Int) throws -> Merkle.Hash { try Merkle.root(size: size, stored: try reader(db)) }

    /// The log index of an event (by id), if this node holds it.
    static func index(_ db: Database, id: String) throws -> Int? {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT pos - 1 FROM events WHERE id = ?"), arguments: [id])
    }

    /// The event ids at log indexes lo ..< hi, in order (entry bundles, auditors).
    static func ids(_ db: Database, from lo: Int, to hi: Int) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM events WHERE pos > ? AND pos <= ? ORDER BY pos", arguments: [lo, hi])
    }
}

/// The transparency log cannot answer as asked (a size it never had, an unknown event), or a
/// stored tree is broken.
public struct TransparencyError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
