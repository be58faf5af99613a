public import AccordCore
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The authorization read models, maintained by the ingest pipeline: membership facts,
/// the members they establish, the events that are stored but invalid, and redactions.
enum MembershipBook {
    /// The `members` columns that the dataset digest covers.
    static let digestColumns = ["key", "role", "name", "valid_through"]

    /// Keeps a membership fact (a grant or a revocation): the one write of `auth_facts`, for
    /// the ingest and the rebuild alike.
    static func recordFact(
        _ db: Database, id: String, author: String, seq: Int, time: String, body: JSONValue, type: String, subject: String?
    ) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO auth_facts(event_id, author, seq, time, body, type, subject) VALUES (?,?,?,?,?,?,?)",
            arguments: [id, author, seq, time, body.canonicalString, type, subject])
    }

    static let tables = ["auth_facts", "members", "invalid_events", "redactions"]

    /// Folded membership states by database file, with the stamp they were folded at.
    final class Cache: Sendable {
        private let entries = Mutex<[String: (stamp: String, state: MembershipState)]>([:])

        func state(file: String, stamp: String) -> MembershipState? {
            entries.withLock { $0[file].flatMap { $0.stamp == stamp ? $0.state : nil } }
        }

        func keep(_ state: MembershipState, file: String, stamp: String) {
            entries.withLock { $0[file] = (stamp, state) }
        }
    }

    static let cache = Cache()

    static func genesisAuthor(_ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT author FROM events WHERE pos = (SELECT min(pos) FROM events)"))
    }

    static func facts(_ db: Database) throws -> [MembershipFact] {
        try Row.fetchAll(db, sql: "SELECT event_id, author, seq, time, type, subject, body FROM auth_facts").compactMap { row in
            guard let body = try? JSONParser.parse(row[6] as String),
                let e = try? AuthorizationEvent(type: row[4], schema: 1, subject: row[5], body: body)
            else { return nil }
            return MembershipFact(id: row[0], author: row[1], seq: row[2], time: row[3], event: e)
        }
    }

    /// The lowest seq at which each key is known to have forked (`ForkRule`).
    static func forkPoints(_ db: Database) throws -> [String: Int] {
        ForkRule.forkPoints(
            try Row.fetchAll(db, sql: "SELECT author, min(seq) FROM forks GROUP BY author").map { (author: $0[0], seq: $0[1]) })
    }

    /// The membership as the facts and the fork evidence stored so far establish it.
    static func state(_ db: Database) throws -> MembershipState {
        let file = sqlite3_db_filename(db.sqliteConnection, "main").map { String(cString: $0) } ?? ""
        let genesis = try genesisAuthor(db)
        // The genesis author is the first admin: the state depends on it as on the facts.
        let stamp = try EventLog.meta(db, "membership").map { $0 + (genesis ?? "") }
        if !file.isEmpty, let stamp, let known = cache.state(file: file, stamp: stamp) { return known }
        let state = MembershipState.fold(genesisAuthor: genesis, facts: try facts(db), forks: try forkPoints(db))
        if !file.isEmpty, let stamp { cache.keep(state, file: file, stamp: stamp) }
        return state
    }

    static func writeMembers(_ db: Database, _ state: MembershipState) throws {
        try db.execute(sql: "DELETE FROM members")
        for m in state.members.values {
            try db.execute(
                sql: "INSERT INTO members(key, role, name, valid_through) VALUES (?,?,?,?)",
                arguments: [m.key, m.role.rawValue, m.name, m.validThroughSeq])
        }
    }

    /// Brings `invalid_events` in line with `state` for `authors` (nil: every author) and
    /// returns the ids whose validity changed, by new validity.
    static func reconcile(
        _ db: Database, state: MembershipState, authors: Set<String>?
    ) throws -> (invalidated: [String], revalidated: [String]) {
        let authorList = try authors.map(Array.init) ?? String.fetchAll(db, sql: "SELECT DISTINCT author FROM events")
        let genesis = try String.fetchOne(db, sql: "SELECT id FROM events WHERE pos = (SELECT min(pos) FROM events)")
        var invalidated: [String] = []
        var revalidated: [String] = []
        for author in authorList {
            let rows = try Row.fetchAll(db, sql: "SELECT id, seq, type FROM events WHERE author = ? ORDER BY seq", arguments: [author])
            let current = Set(try String.fetchAll(db, sql: "SELECT event_id FROM invalid_events WHERE author = ?", arguments: [author]))
            for row in rows {
                let id: String = row[0]
                let seq: Int = row[1]
                var why = id == genesis ? nil : state.refusal(author, seq: seq)
                if why == nil && state.invalidFacts.contains(id) { why = "signed by a key that was not an admin for it" }
                // A redaction needs an admin at its seq, as a membership fact does: one whose
                // signer a later grant made an editor from an earlier seq no longer counts.
                if why == nil, row[2] == AuthorizationEvent.Kind.redacted.rawValue, state.authorize(author, seq: seq) != .valid(.admin) {
                    why = "signed by a key that was not an admin for it"
                }
                if let why, !current.contains(id) {
                    try db.execute(
                        sql: "INSERT INTO invalid_events(event_id, author, seq, reason) VALUES (?,?,?,?)",
                        arguments: [id, author, seq, why])
                    invalidated.append(id)
                } else if why == nil, current.contains(id) {
                    try db.execute(sql: "DELETE FROM invalid_events WHERE event_id = ?", arguments: [id])
                    revalidated.append(id)
                }
            }
        }
        return (invalidated, revalidated)
    }
}

extension EventLog {
    /// The dataset's members.
    public func members() throws -> [Member] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, role, name, valid_through FROM members ORDER BY name, key").map {
                Member(key: $0[0], role: MemberRole(rawValue: $0[1]) ?? .editor, name: $0[2], validThroughSeq: $0[3])
            }
        }
    }

    /// The membership with each key's role periods, folded from the stored facts.
    public func membership() throws -> MembershipState {
        try pool.read { db in try MembershipBook.state(db) }
    }

    /// Why an event is invalid, or nil when it counts.
    public func invalidReason(_ id: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT reason FROM invalid_events WHERE event_id = ?", arguments: [id]) }
    }

    /// The highest seq this node holds for `author`.
    public func highestSeq(_ author: String) throws -> Int? {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT max(seq) FROM events WHERE author = ?", arguments: [author]) }
    }
}
