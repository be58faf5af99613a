import AccordCore
import Foundation
import GRDB

extension EventLog {
    /// This node's version vector.
    public func versionVector() throws -> VersionVector {
        try pool.read { db in try Self.heads(db) }
    }

    /// Author -> highest seq, by a skip-scan of the (author, seq) index: one index probe per
    /// author, so it costs the same at a thousand events as at a million.
    static func heads(_ db: Database) throws -> VersionVector {
        var h: [String: Int] = [:]
        let sql = """
            WITH RECURSIVE a(author) AS (
                SELECT min(author) FROM events
                UNION ALL
                SELECT (SELECT min(author) FROM events WHERE author > a.author) FROM a WHERE a.author IS NOT NULL)
            SELECT author, (SELECT max(seq) FROM events e WHERE e.author = a.author) FROM a WHERE author IS NOT NULL
            """
        for row in try Row.fetchAll(db.cachedStatement(sql: sql)) { h[row[0]] = row[1] }
        return VersionVector(h)
    }

    /// One page of the events a holder of `vector` lacks, in this node's log order,
    /// starting after log position `after`. The page stops at `maxEvents` or once
    /// `maxBytes` are reached; `next` is where the following page starts, nil at the end.
    public func missing(
        for vector: VersionVector, after: Int64, maxEvents: Int, maxBytes: Int
    ) throws
        -> (events: [StoredEvent], next: Int64?)
    {
        try pool.read { db in
            // Start at the earliest event the peer lacks: a peer nearly in sync scans only the tail.
            var start = after
            if after == 0 {
                var first: Int64? = nil
                for (author, seq) in try Self.heads(db).heads {
                    let have = vector[author]
                    if seq > have {
                        let p = try Int64.fetchOne(
                            db, sql: "SELECT pos FROM events WHERE author = ? AND seq = ?", arguments: [author, have + 1])
                        if let p { first = min(first ?? p, p) }
                    }
                }
                guard let first else { return ([], nil) }
                start = first - 1
            }
            var out: [StoredEvent] = []
            var bytes = 0
            var last = start
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: StoredEvent.selectSQL + " WHERE e.pos > ? ORDER BY e.pos"), arguments: [start])
            while let row = try rows.next() {
                let e = StoredEvent(row: row)
                last = e.pos
                if e.seq <= vector[e.author] { continue }
                out.append(e)
                bytes += e.envelopeBytes.count + (e.bodyBytes?.count ?? 0) + 120
                if out.count >= maxEvents || bytes >= maxBytes {
                    let more = try Bool.fetchOne(db, sql: "SELECT 1 FROM events WHERE pos > ? LIMIT 1", arguments: [last]) ?? false
                    return (out, more ? last : nil)
                }
            }
            return (out, nil)
        }
    }
}
