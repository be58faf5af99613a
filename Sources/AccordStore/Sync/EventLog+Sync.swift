public import AccordCore
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
    /// With the peer's head ids, an author whose chain there is not this node's (a key that
    /// signed two events with one seq) is left out: the peer cannot chain any of them, and
    /// would be sent the same refused pages at every sync (`contradicting` shows it the fork).
    public func missing(
        for vector: VersionVector, heads: [String: String] = [:], after: Int64, maxEvents: Int, maxBytes: Int
    ) throws
        -> (events: [StoredEvent], next: Int64?)
    {
        try pool.read { db in try Self.missing(db, for: vector, heads: heads, after: after, maxEvents: maxEvents, maxBytes: maxBytes) }
    }

    static func missing(
        _ db: Database, for vector: VersionVector, heads: [String: String], after: Int64, maxEvents: Int, maxBytes: Int
    ) throws -> (events: [StoredEvent], next: Int64?) {
        let diverged = try Self.diverged(db, vector: vector, heads: heads)
        // Past the evidence a revoked key may leave, every node that knows the revocation
        // refuses its events: such events (taken before the revocation was known) stay
        // where they are.
        let membership = try MembershipBook.state(db)
        // Start at the earliest event the peer lacks: a peer nearly in sync scans only the tail.
        var start = after
        if after == 0 {
            var first: Int64? = nil
            for (author, seq) in try Self.heads(db).heads where !diverged.contains(author) {
                let have = vector[author]
                if min(seq, membership.keptThrough(author) ?? seq) > have {
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
        // An event stamped beyond this node's clock plus the drift bound (taken by an older
        // version) is refused by every node that checks the time: it is not sent, nor
        // are its author's later events, until the clock gets there.
        let wall = HybridLogicalClock.wallMillis()
        var aheadOfTime: Set<String> = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: StoredEvent.selectSQL + " WHERE e.pos > ? ORDER BY e.pos"), arguments: [start])
        while let row = try rows.next() {
            let e = StoredEvent(row: row)
            last = e.pos
            if e.seq <= vector[e.author] || diverged.contains(e.author) { continue }
            if let kept = membership.keptThrough(e.author), e.seq > kept { continue }
            if aheadOfTime.contains(e.author) { continue }
            if let t = HLCTime(e.time), !HybridLogicalClock.admits(t, wallMillis: wall) {
                aheadOfTime.insert(e.author)
                continue
            }
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

extension EventLog {
    /// The authors whose head on the peer (seq in `vector`, id in `heads`) is another event
    /// than this node's at that seq: their chains are apart, and no event of theirs can pass.
    public func divergedAuthors(vector: VersionVector, heads: [String: String]) throws -> Set<String> {
        try pool.read { db in try Self.diverged(db, vector: vector, heads: heads) }
    }

    static func diverged(_ db: Database, vector: VersionVector, heads: [String: String]) throws -> Set<String> {
        guard !heads.isEmpty else { return [] }
        let idAt = try db.cachedStatement(sql: "SELECT id FROM events WHERE author = ? AND seq = ?")
        var out: Set<String> = []
        for (author, theirID) in heads {
            let seq = vector[author]
            guard seq > 0, let mine = try String.fetchOne(idAt, arguments: [author, seq]) else { continue }
            if mine != theirID { out.insert(author) }
        }
        return out
    }

    /// The version vector and the id at each of its entries, read in one snapshot: read
    /// apart, an append between the two reads would pair a seq with a later event's id, and
    /// the peer would take an honest key for one whose chain forked.
    public func vectorAndHeads() throws -> (vector: VersionVector, heads: [String: String]) {
        try pool.read { db in
            let (vector, heads) = try Self.chainHeads(db)
            return (vector, heads.mapValues(\.id))
        }
    }

    /// The version vector and each author's head event (seq and id), in one read.
    static func chainHeads(_ db: Database) throws -> (vector: VersionVector, heads: [String: (seq: Int, id: String)]) {
        var out: [String: (seq: Int, id: String)] = [:]
        let vector = try Self.heads(db)
        let idAt = try db.cachedStatement(sql: "SELECT id FROM events WHERE author = ? AND seq = ?")
        for (author, seq) in vector.heads {
            if let id = try String.fetchOne(idAt, arguments: [author, seq]) { out[author] = (seq, id) }
        }
        return (vector, out)
    }

    /// The events a peer holding `vector` with head ids `heads` needs to see a fork
    /// (docs/protocol.md, "Forks"): for each author, where this node holds the peer's head
    /// seq under another id, that event; where this node's chain is shorter than the
    /// peer's, this node's head event (the peer compares it with its own at that seq:
    /// a duplicate when the chains agree, fork evidence when they do not).
    /// For a revoked key, this node's event at its cut-off instead, when the seq to compare
    /// lies past it: evidence the key may not sign would be refused at every sync.
    ///
    /// And for each key whose lowest known fork seq differs on the two nodes (`forks`, the
    /// peer's), this node's events of that key from `forkWindow` seqs below the lower of
    /// the two up to it, in seq order: where the chains agree the peer takes them as
    /// duplicates, where they differ as evidence, so its fork point moves to the lowest
    /// seq at which the chains part (within the window) and both nodes apply the same
    /// `ForkRule` cut, followed by this node's fork evidence in that window up to the
    /// peer's vector (bodiless envelopes: the branch this node did not store). Nothing is
    /// sent once both name the same fork point.
    public func contradicting(
        vector: VersionVector, heads: [String: String], forks theirs: [String: Int] = [:]
    ) throws
        -> [StoredEvent]
    {
        try pool.read { db in try Self.contradicting(db, vector: vector, heads: heads, forks: theirs) }
    }

    static func contradicting(
        _ db: Database, vector: VersionVector, heads: [String: String], forks theirs: [String: Int]
    ) throws -> [StoredEvent] {
        var out: [StoredEvent] = []
        var sent: Set<String> = []
        for (author, fork) in try MembershipBook.forkPoints(db).sorted(by: { $0.key < $1.key }) where theirs[author] != fork {
            let top = min(fork, theirs[author] ?? fork)
            let rows = try Row.fetchAll(
                db, sql: StoredEvent.selectSQL + " WHERE e.author = ? AND e.seq BETWEEN ? AND ? ORDER BY e.seq",
                arguments: [author, max(1, top - Self.forkWindow), top])
            for r in rows {
                let e = StoredEvent(row: r)
                if sent.insert(e.id).inserted { out.append(e) }
            }
            // And the evidence itself, where the peer holds the chain that far: a clone of
            // this node holds only one branch, and without the other it would find no fork.
            let evidence = try Row.fetchAll(
                db, sql: StoredEvent.evidenceSQL + " WHERE author = ? AND seq BETWEEN ? AND ? ORDER BY seq, fork_id",
                arguments: [author, max(1, top - Self.forkWindow), min(top, vector[author])])
            for r in evidence {
                let e = StoredEvent(evidence: r)
                if sent.insert(e.id).inserted { out.append(e) }
            }
        }
        guard !heads.isEmpty else { return out }
        let mine = try Self.heads(db)
        let membership = try MembershipBook.state(db)
        let idAt = try db.cachedStatement(sql: "SELECT id FROM events WHERE author = ? AND seq = ?")
        for (author, theirID) in heads.sorted(by: { $0.key < $1.key }) {
            let theirs = vector[author]
            let have = mine[author]
            guard theirs > 0, have > 0 else { continue }
            var seq = min(theirs, have)
            guard let id = try String.fetchOne(idAt, arguments: [author, seq]) else { continue }
            if have >= theirs && id == theirID { continue }
            switch membership.authorize(author, seq: seq) {
            case .valid: break
            case .notMember: continue
            case .revoked(let cut):
                // Evidence past the cut-off would be refused: this node's event at the cut-off
                // shows a fork at or before it (a later one counts on neither node).
                guard cut >= 1 else { continue }
                seq = cut
            }
            if let e = try Row.fetchOne(
                db, sql: StoredEvent.selectSQL + " WHERE e.author = ? AND e.seq = ?", arguments: [author, seq])
            {
                let e = StoredEvent(row: e)
                if sent.insert(e.id).inserted { out.append(e) }
            }
        }
        return out
    }

    /// How far below a fork point a sync looks for where two chains part.
    public static let forkWindow = 256

    /// The lowest seq at which each key is known to have forked (`ForkRule`).
    public func forkPoints() throws -> [String: Int] {
        try pool.read { db in try MembershipBook.forkPoints(db) }
    }

    /// Keys whose chains this node has seen fork (it holds fork evidence for them).
    public func forkedAuthors() throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT author FROM forks")) }
    }
}

extension EventLog {
    /// Where one author's chain stands on this node: the last event's seq, id and time
    /// (nil for a key that has signed nothing here). A client that signs its own edits
    /// places its next event after it.
    public func chainHead(author: String) throws -> (seq: Int, id: String, time: String)? {
        try pool.read { db in try Self.chainHead(db, author: author) }
    }

    static func chainHead(_ db: Database, author: String) throws -> (seq: Int, id: String, time: String)? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT seq, id, time FROM events WHERE author = ? ORDER BY seq DESC LIMIT 1"),
                arguments: [author])
        else { return nil }
        return (row[0], row[1], row[2])
    }
}

/// What a pull's page holds, read in one snapshot: the events (on the first page, first
/// what shows the client a fork of one of its keys and the bodies it is owed), where the
/// next page starts, and, on the last page, where this node stands.
public struct PullSnapshot: Sendable {
    public var events: [StoredEvent]
    public var next: Int64?
    public var dataset: String?
    public var vector: VersionVector
    /// On the last page: the id at each entry of `vector`.
    public var heads: [String: String] = [:]
    /// On the last page: bodies this node is owed.
    public var owed: [String] = []
    /// On the last page: authors whose chains here and on the client are apart.
    public var unshared: Set<String> = []
    /// On the last page: this node's fork points.
    public var forkPoints: [String: Int] = [:]
}

extension EventLog {
    /// One page of a pull, every part read in the same snapshot, so that the page, the
    /// vector and the head ids agree with each other.
    /// - Parameters: as the client's pull request says (`bodies`: the ids it holds without body).
    public func pullSnapshot(
        vector: VersionVector, heads: [String: String], forks: [String: Int], bodies: [String], after: Int64, maxEvents: Int,
        maxBytes: Int, maxOwed: Int
    ) throws -> PullSnapshot {
        try pool.read { db in
            let first =
                after == 0
                ? try Self.contradicting(db, vector: vector, heads: heads, forks: forks) + Self.events(db, ids: bodies) : []
            let page = try Self.missing(db, for: vector, heads: heads, after: after, maxEvents: maxEvents, maxBytes: maxBytes)
            guard page.next == nil else {
                return PullSnapshot(
                    events: first + page.events, next: page.next, dataset: try Self.meta(db, "dataset"), vector: try Self.heads(db))
            }
            let (mine, ids) = try Self.chainHeads(db)
            return PullSnapshot(
                events: first + page.events, next: nil, dataset: try Self.meta(db, "dataset"), vector: mine,
                heads: ids.mapValues(\.id), owed: try Self.pendingBodyIDs(db, limit: maxOwed),
                unshared: try Self.diverged(db, vector: vector, heads: heads), forkPoints: try MembershipBook.forkPoints(db))
        }
    }
}
