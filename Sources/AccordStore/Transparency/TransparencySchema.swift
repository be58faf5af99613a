import AccordCore
import GRDB

/// The transparency log's tables (Docs/transparency.md): the RFC 6962 tree's complete subtrees
/// over the events in this node's append order, and the checkpoints this node signed.
/// All append-only, like the log.
enum TransparencySchema {
    static func v11TransparencyLog(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Leaf i is the event at pos i + 1. The hash of each complete subtree of 16 leaves or more:
                -- level L, index n covers leaves n·2^L ..< (n+1)·2^L (smaller ones are hashed from the ids).
                CREATE TABLE tlog_hashes(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY(level, idx))
                    STRICT, WITHOUT ROWID;
                -- Checkpoints this node signed, latest last (never two for one origin and size).
                CREATE TABLE tlog_checkpoints(
                    id INTEGER PRIMARY KEY, origin TEXT NOT NULL, size INTEGER NOT NULL, note BLOB NOT NULL, signed_at TEXT NOT NULL,
                    signer TEXT NOT NULL,
                    UNIQUE(origin, size)
                ) STRICT;
                """)
        for table in ["tlog_hashes", "tlog_checkpoints"] {
            try db.execute(
                sql: """
                    CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
                    CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
                    """)
        }
        // The log's first epoch (`accord restore` starts the next one).
        try db.execute(sql: "INSERT OR IGNORE INTO meta(key, value) VALUES ('log_epoch', '1')")
        // Events stored before this version get their leaves now, in log order.
        try TransparencyLog.extendFromStart(db)
    }
}
