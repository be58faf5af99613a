import GRDB

/// The log's tables: events, bodies and fork evidence, append-only by trigger.
enum LogSchema {
    static func v1Log(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

                -- The append-only log. `envelope` holds the envelope's canonical bytes, as signed.
                CREATE TABLE events(
                    pos INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE CHECK (length(id) = 64),
                    author TEXT NOT NULL,
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    prev TEXT,
                    type TEXT NOT NULL,
                    subject TEXT,
                    time TEXT NOT NULL,
                    envelope BLOB NOT NULL,
                    sig TEXT NOT NULL,
                    UNIQUE(author, seq)
                ) STRICT;
                -- Only redactions are looked up by subject in the log itself (the body trigger);
                -- every other by-record query reads the projections, so the log keeps two
                -- indexes and appends stay cheap.
                CREATE INDEX events_redactions ON events(subject) WHERE type = 'event.redacted';

                -- Append-only, enforced by SQLite for every client (the sqlite3 shell too).
                -- The BEFORE INSERT trigger refuses a row that would collide, so INSERT OR
                -- REPLACE cannot delete a stored event even with recursive_triggers off.
                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END;
                CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is refused'); END;
                CREATE TRIGGER events_no_replace BEFORE INSERT ON events
                WHEN EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
                  OR EXISTS (SELECT 1 FROM events WHERE author = NEW.author AND seq = NEW.seq)
                  OR EXISTS (SELECT 1 FROM events WHERE pos = NEW.pos)
                BEGIN SELECT RAISE(ABORT, 'events are append-only: an event with this id, author/seq or position exists'); END;

                -- Bodies live beside envelopes so that a redaction can erase one while the
                -- envelope and its signature still verify.
                -- Keyed by the event's log position, so appends stay at the end of the b-tree.
                CREATE TABLE bodies(
                    pos INTEGER PRIMARY KEY REFERENCES events(pos),
                    body BLOB NOT NULL
                ) STRICT;
                CREATE TRIGGER bodies_no_update BEFORE UPDATE ON bodies
                BEGIN SELECT RAISE(ABORT, 'bodies are immutable: UPDATE is refused'); END;
                CREATE TRIGGER bodies_no_replace BEFORE INSERT ON bodies
                WHEN EXISTS (SELECT 1 FROM bodies WHERE pos = NEW.pos)
                BEGIN SELECT RAISE(ABORT, 'bodies are immutable: this body exists'); END;
                CREATE TRIGGER bodies_delete_only_redacted BEFORE DELETE ON bodies
                WHEN NOT EXISTS (
                    SELECT 1 FROM events WHERE type = 'event.redacted'
                    AND subject = (SELECT id FROM events WHERE pos = OLD.pos))
                BEGIN SELECT RAISE(ABORT, 'a body may be deleted only when a redaction for it is in the log'); END;

                -- Equivocation evidence: a second signed event for an (author, seq) already held.
                CREATE TABLE forks(
                    fork_id TEXT PRIMARY KEY,
                    author TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    existing_id TEXT NOT NULL REFERENCES events(id),
                    envelope BLOB NOT NULL,
                    sig TEXT NOT NULL,
                    body BLOB,
                    detected_at TEXT NOT NULL
                ) STRICT;
                CREATE TRIGGER forks_no_update BEFORE UPDATE ON forks
                BEGIN SELECT RAISE(ABORT, 'fork evidence is append-only'); END;
                CREATE TRIGGER forks_no_delete BEFORE DELETE ON forks
                BEGIN SELECT RAISE(ABORT, 'fork evidence is append-only'); END;
                """)
    }
}
