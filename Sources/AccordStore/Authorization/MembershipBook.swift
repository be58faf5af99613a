import AccordCore
import Foundation
import GRDB

/// The authorization read models, maintained by the ingest pipeline: membership facts,
/// the members they establish, the events that are stored but invalid, and redactions.
enum MembershipBook {
    /// The `members` columns that the dataset digest covers.
    static let digestColumns = ["key", "role", "name", "valid_through"]

    static func register(_ m: inout DatabaseMigrator) {
        m.registerMigration("v4-members") { db in
            try db.execute(
                sql: """
                    CREATE TABLE auth_facts(
                        event_id TEXT PRIMARY KEY, author TEXT NOT NULL, seq INTEGER NOT NULL, time TEXT NOT NULL,
                        body TEXT NOT NULL, type TEXT NOT NULL, subject TEXT
                    ) STRICT, WITHOUT ROWID;
                    CREATE TABLE members(
                        key TEXT PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL, valid_through INTEGER
                    ) STRICT, WITHOUT ROWID;
                    CREATE TABLE invalid_events(
                        event_id TEXT PRIMARY KEY, author TEXT NOT NULL, seq INTEGER NOT NULL, reason TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX invalid_events_author ON invalid_events(author, seq);
                    CREATE TABLE redactions(
                        target TEXT PRIMARY KEY, event_id TEXT NOT NULL, reason TEXT NOT NULL, time TEXT NOT NULL, author TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
    }

    static let tables = ["auth_facts", "members", "invalid_events", "redactions"]

    static func genesisAuthor(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT author FROM events WHERE pos = (SELECT min(pos) FROM events)")
    }

    static func facts(_ db: Database) throws -> [MembershipFact] {
        try Row.fetchAll(db, sql: "SELECT event_id, author, seq, time, type, subject, body FROM auth_facts").compactMap { row in
            guard let body = try? JSONParser.parse(row[6] as String),
                let e = try? AuthorizationEvent(type: row[4], schema: 1, subject: row[5], body: body)
            else { return nil }
            return MembershipFact(id: row[0], author: row[1], seq: row[2], time: row[3], event: e)
        }
    }

    /// The membership as the facts stored so far establish it.
    static func state(_ db: Database) throws -> MembershipState {
        MembershipState.fold(genesisAuthor: try genesisAuthor(db), facts: try facts(db))
    }

    static func writeMembers(_ db: Database, _ state: MembershipState) throws {
        try db.execute(sql: "DELETE FROM members")
        for m in state.members.values {
            try db.execute(
                sql: "INSERT INTO members(key, role, name, valid_through) VALUES (?,?,?,?)",
                arguments: [m.key, m.role.rawValue, m.name, m.validThroughSeq])
        }
    }

    static func reason(_ a: Authorization, author: String) -> String? {
        switch a {
        case .valid: return nil
        case .notMember: return "\(author) is not a member"
        case .revoked(let n): return "\(author) was revoked after seq \(n)"
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
            let rows = try Row.fetchAll(db, sql: "SELECT id, seq FROM events WHERE author = ? ORDER BY seq", arguments: [author])
            let current = Set(try String.fetchAll(db, sql: "SELECT event_id FROM invalid_events WHERE author = ?", arguments: [author]))
            for row in rows {
                let id: String = row[0]
                let seq: Int = row[1]
                var why = id == genesis ? nil : reason(state.authorize(author, seq: seq), author: author)
                if why == nil && state.invalidFacts.contains(id) { why = "signed by a key that was not an admin for it" }
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
