import GRDB

/// The authorization read models' tables (`MembershipBook`): membership facts, the members
/// they establish, the events stored without effect, and redactions in effect.
enum MembershipSchema {
    static func v4Members(_ db: Database) throws {
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

    /// Every change to the membership facts (by any connection, any process, or a rebuild)
    /// stamps `meta.membership` with a fresh random value: the folded state is cached per
    /// database and stamp. A value rolled back with its transaction is never used again.
    /// (An UPDATE, not an insert: the outer `INSERT OR IGNORE` would turn a trigger's
    /// `INSERT OR REPLACE` into an ignore.)
    static func v7MembershipStamp(_ db: Database) throws {
        for (name, when) in [("auth_facts_stamp_insert", "INSERT"), ("auth_facts_stamp_delete", "DELETE")] {
            try db.execute(
                sql: """
                    CREATE TRIGGER \(name) AFTER \(when) ON auth_facts BEGIN
                        UPDATE meta SET value = hex(randomblob(16)) WHERE key = 'membership';
                    END
                    """)
        }
        try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('membership', hex(randomblob(16)))")
    }

    /// Fork evidence changes who may write (`ForkRule`), as a revocation does.
    static func v10ForkStamp(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TRIGGER forks_stamp_insert AFTER INSERT ON forks BEGIN
                    UPDATE meta SET value = hex(randomblob(16)) WHERE key = 'membership';
                END
                """)
        // A database that already holds fork evidence re-marks its events when it opens.
        try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) SELECT 'refold', '1' WHERE EXISTS (SELECT 1 FROM forks)")
    }
}
