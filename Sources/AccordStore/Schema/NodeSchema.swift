import GRDB

/// The node database's schema: every migration, in version order, in one migrator.
/// A shipped migration is never edited; a change is a new migration appended at the end,
/// and the schema version is the last one's identifier.
enum NodeSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-log", migrate: LogSchema.v1Log)
        m.registerMigration("v2-curation", migrate: CurationSchema.v2Curation)
        m.registerMigration("v3-peers", migrate: NodeLocalSchema.v3Peers)
        m.registerMigration("v4-members", migrate: MembershipSchema.v4Members)
        m.registerMigration("v5-pending-bodies", migrate: NodeLocalSchema.v5PendingBodies)
        m.registerMigration("v6-curation-rowid-search", migrate: CurationSchema.v6RowidSearch)
        m.registerMigration("v7-membership-stamp", migrate: MembershipSchema.v7MembershipStamp)
        m.registerMigration("v8-record-order", migrate: CurationSchema.v8RecordOrder)
        m.registerMigration("v9-fact-rowid", migrate: CurationSchema.v9FactRowid)
        m.registerMigration("v10-fork-stamp", migrate: MembershipSchema.v10ForkStamp)
        m.registerMigration("v11-transparency-log", migrate: TransparencySchema.v11TransparencyLog)
        m.registerMigration("v12-peer-logs", migrate: PeerLogSchema.v12PeerLogs)
        m.registerMigration("v13-witness-keys", migrate: PeerLogSchema.v13WitnessKeys)
        return m
    }

    /// The schema this version writes: its newest migration.
    static var version: String { migrator.migrations.last ?? "-" }
}

/// Tables a node keeps for itself, never derived from the log nor rebuilt: its sync
/// peers, and the bodies it is owed (`PendingBodies.swift`).
enum NodeLocalSchema {
    static func v3Peers(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE peers(
                    url TEXT PRIMARY KEY, last_attempt TEXT, last_success TEXT,
                    failures INTEGER NOT NULL DEFAULT 0, last_result TEXT
                ) STRICT;
                """)
    }

    static func v5PendingBodies(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE pending_bodies(event_id TEXT PRIMARY KEY, pos INTEGER NOT NULL) STRICT, WITHOUT ROWID")
    }
}
