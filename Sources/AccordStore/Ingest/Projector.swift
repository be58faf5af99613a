import AccordCore
import GRDB

/// A read model maintained inside the ingest transaction. Projectors own their
/// tables, and can drop and rebuild them from the log.
public protocol Projector: Sendable {
    /// Adds this read model's migrations.
    func registerMigrations(_ migrator: inout DatabaseMigrator)
    /// Checks an event's payload before it is appended (pure, no database); a thrown
    /// rejection stops the event and nothing is written.
    func validate(_ event: SignedEvent) throws(EventRejection)
    /// Applies one appended event. An invalid event (see `IngestOutcome.invalid`) is
    /// applied too, marked invalid, so that a later change of membership only flips marks.
    func apply(_ event: SignedEvent, position: Int64, valid: Bool, db: Database) throws
    /// Marks events valid or invalid after a membership change, and re-folds what they touched.
    func setValidity(_ ids: [String], valid: Bool, db: Database) throws
    /// Forgets what a redacted event's body said.
    func redact(_ id: String, db: Database) throws
    /// Empties the read model (before a rebuild).
    func reset(db: Database) throws
}

extension Projector {
    public func validate(_ event: SignedEvent) throws(EventRejection) {}
}
