import AccordCore
import Foundation
import GRDB

extension EventLog {
    /// This node's version vector.
    public func versionVector() throws -> VersionVector {
        try pool.read { db in
            var h: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT author, max(seq) FROM events GROUP BY author") { h[row[0]] = row[1] }
            return VersionVector(h)
        }
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
                for row in try Row.fetchAll(db, sql: "SELECT author, max(seq) FROM events GROUP BY author") {
                    let author: String = row[0]
                    let have = vector[author]
                    if (row[1] as Int) > have {
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
