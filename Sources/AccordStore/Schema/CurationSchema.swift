import GRDB

/// Tables of the curation read models. `cur_*` tables hold every fact the fold needs
/// (revisions with their bases, set adds and removes, status events), so any state, now
/// or as of a time, is a query over them. `records`, `record_items`, `conflicts` and
/// `record_search` materialise the current state (`CurationProjector`).
enum CurationSchema {
    static let tables = [
        "cur_created", "cur_revisions", "cur_bases", "cur_set_adds", "cur_set_removes", "cur_status", "records",
        "record_items", "conflicts", "record_search",
    ]

    static func v2Curation(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE cur_created(
                    event_id TEXT PRIMARY KEY, key TEXT NOT NULL, symbol TEXT NOT NULL,
                    time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX cur_created_key ON cur_created(key);

                CREATE TABLE cur_revisions(
                    event_id TEXT NOT NULL, field TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1,
                    PRIMARY KEY(event_id, field)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX cur_revisions_field ON cur_revisions(key, field);

                CREATE TABLE cur_bases(
                    base_id TEXT NOT NULL, field TEXT NOT NULL, event_id TEXT NOT NULL,
                    PRIMARY KEY(base_id, field, event_id)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE cur_set_adds(
                    event_id TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL, key TEXT NOT NULL,
                    value TEXT NOT NULL, time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1,
                    PRIMARY KEY(event_id, kind, item)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX cur_set_adds_key ON cur_set_adds(key, kind);

                CREATE TABLE cur_set_removes(
                    seen_id TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL, event_id TEXT NOT NULL,
                    key TEXT NOT NULL, time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1,
                    PRIMARY KEY(seen_id, kind, item, event_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX cur_set_removes_key ON cur_set_removes(key, kind);

                CREATE TABLE cur_status(
                    event_id TEXT PRIMARY KEY, key TEXT NOT NULL, withdrawn INTEGER NOT NULL, reason TEXT,
                    time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX cur_status_key ON cur_status(key);

                CREATE TABLE records(
                    key TEXT PRIMARY KEY, symbol TEXT NOT NULL, body TEXT NOT NULL, year INTEGER,
                    withdrawn INTEGER NOT NULL DEFAULT 0,
                    title TEXT, adopted TEXT, meeting INTEGER, vote TEXT, summary TEXT, interpol_role TEXT,
                    notes TEXT, text TEXT
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX records_body_year ON records(body, year);

                CREATE TABLE record_items(
                    key TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY(key, kind, item)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX record_items_item ON record_items(kind, item);

                CREATE TABLE conflicts(
                    key TEXT NOT NULL, field TEXT NOT NULL, heads INTEGER NOT NULL,
                    PRIMARY KEY(key, field)
                ) STRICT, WITHOUT ROWID;

                CREATE VIRTUAL TABLE record_search USING fts5(
                    key UNINDEXED, title, summary, interpol_role, notes, text,
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                """)
    }

    // Per-batch projection: `records` gets a rowid, and the search index is an
    // external-content FTS5 table over it, so a record leaves the index by its rowid
    // (never a scan); bases and removals are found by the event that wrote them.
    // The materialised rows are derived, so they are re-folded from the facts here.
    static func v6RowidSearch(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TABLE record_search;
                DROP TABLE records;
                CREATE TABLE records(
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL UNIQUE, symbol TEXT NOT NULL, body TEXT NOT NULL, year INTEGER,
                    withdrawn INTEGER NOT NULL DEFAULT 0,
                    title TEXT, adopted TEXT, meeting INTEGER, vote TEXT, summary TEXT, interpol_role TEXT,
                    notes TEXT, text TEXT
                ) STRICT;
                CREATE INDEX records_body_year ON records(body, year);
                CREATE VIRTUAL TABLE record_search USING fts5(
                    title, summary, interpol_role, notes, text,
                    content = 'records', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                CREATE INDEX cur_bases_event ON cur_bases(event_id);
                CREATE INDEX cur_set_removes_event ON cur_set_removes(event_id);
                -- How many valid revisions name a revision as their base, and how many valid
                -- removals saw an add: the live facts (0) are found by index, whatever the
                -- length of a record's history. Kept by recounting (CurationProjector.recount).
                ALTER TABLE cur_revisions ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE cur_set_adds ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX cur_revisions_live ON cur_revisions(key) WHERE replaced = 0 AND valid = 1;
                CREATE INDEX cur_set_adds_live ON cur_set_adds(key) WHERE removed = 0 AND valid = 1;
                DELETE FROM record_items;
                DELETE FROM conflicts;
                """)
        try CurationProjector.recountAll(db)
        try CurationProjector.materialiseAll(db)
    }

    // Lists page by index: a page of 50 costs the same at 25,000 records as at 12.
    // Symbol order is GA by session and number, then SC by number, from the key
    // (`A/RES/71/19`, `S/RES/2178`); indexes only, so the digest does not change.
    static func v8RecordOrder(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX records_symbol_order ON records(\(Curation.symbolOrder));
                CREATE INDEX records_year_order ON records(year, \(Curation.symbolOrder));
                CREATE INDEX records_title_order ON records(title COLLATE NOCASE, key);
                """)
    }

    // Facts that carry values (a summary, a 2 KB text) live in rowid tables: a new fact is
    // appended at the end of its table, and only the small index entries land at random
    // places (a WITHOUT ROWID table keyed by a random event id split its large rows' pages).
    static func v9FactRowid(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE cur_revisions_new(
                    event_id TEXT NOT NULL, field TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1,
                    replaced INTEGER NOT NULL DEFAULT 0, UNIQUE(event_id, field)
                ) STRICT;
                INSERT INTO cur_revisions_new(event_id, field, key, value, time, author, valid, replaced)
                    SELECT event_id, field, key, value, time, author, valid, replaced FROM cur_revisions;
                DROP TABLE cur_revisions;
                ALTER TABLE cur_revisions_new RENAME TO cur_revisions;
                CREATE INDEX cur_revisions_field ON cur_revisions(key, field);
                CREATE INDEX cur_revisions_live ON cur_revisions(key) WHERE replaced = 0 AND valid = 1;

                CREATE TABLE cur_set_adds_new(
                    event_id TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL, key TEXT NOT NULL,
                    value TEXT NOT NULL, time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1,
                    removed INTEGER NOT NULL DEFAULT 0, UNIQUE(event_id, kind, item)
                ) STRICT;
                INSERT INTO cur_set_adds_new(event_id, kind, item, key, value, time, author, valid, removed)
                    SELECT event_id, kind, item, key, value, time, author, valid, removed FROM cur_set_adds;
                DROP TABLE cur_set_adds;
                ALTER TABLE cur_set_adds_new RENAME TO cur_set_adds;
                CREATE INDEX cur_set_adds_key ON cur_set_adds(key, kind);
                CREATE INDEX cur_set_adds_live ON cur_set_adds(key) WHERE removed = 0 AND valid = 1;

                CREATE TABLE cur_created_new(
                    event_id TEXT NOT NULL UNIQUE, key TEXT NOT NULL, symbol TEXT NOT NULL,
                    time TEXT NOT NULL, author TEXT NOT NULL, valid INTEGER NOT NULL DEFAULT 1
                ) STRICT;
                INSERT INTO cur_created_new SELECT * FROM cur_created;
                DROP TABLE cur_created;
                ALTER TABLE cur_created_new RENAME TO cur_created;
                CREATE INDEX cur_created_key ON cur_created(key);
                """)
    }
}
