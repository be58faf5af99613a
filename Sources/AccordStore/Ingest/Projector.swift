public import AccordCore
public import GRDB

/// One appended event handed to the read models, with its log position and whether it
/// counts (an event of a revoked signer is stored, and projected marked invalid).
public struct ProjectedEvent: Sendable {
    public let event: SignedEvent
    public let position: Int64
    public let valid: Bool

    public init(event: SignedEvent, position: Int64, valid: Bool) {
        self.event = event
        self.position = position
        self.valid = valid
    }
}

/// A read model maintained inside the ingest transaction. A projector owns its tables
/// (created by the node's one migrator, `NodeSchema`), and can empty and rebuild them from the log.
public protocol Projector: Sendable {
    /// Checks an event's payload before it is appended (pure, no database); a thrown
    /// rejection stops the event and nothing is written.
    func validate(_ event: SignedEvent) throws(EventRejection)
    /// Whether `apply` reads events of this type; the ingest hands it only those (not a
    /// membership change or a `bench.note`, for the curation projection).
    func reads(type: String) -> Bool
    /// Applies a batch of appended events, in log order: each read row the batch touches is
    /// written once per batch. Invalid events (see `IngestOutcome.invalid`) are applied
    /// too, marked invalid, so that a later change of membership only flips marks.
    func apply(_ batch: [ProjectedEvent], db: Database) throws
    /// A read model that can store what each part of a transaction says as it is appended,
    /// and fold what it touched once at the end, returns the stage that does so; the appended
    /// events then need not wait in memory for the end of the transaction. Nil (the default):
    /// the events are held and handed to `apply` at once.
    func makeStage() -> (any ProjectionStage)?
    /// During a rebuild: stores what a batch says without materialising anything yet.
    func replay(_ batch: [ProjectedEvent], db: Database) throws
    /// Ends a rebuild: materialises everything the replayed batches stored.
    func finishReplay(db: Database) throws
    /// Marks events valid or invalid after a membership change, and re-folds what they touched.
    func setValidity(_ ids: [String], valid: Bool, db: Database) throws
    /// Forgets what a redacted event's body said.
    func redact(_ id: String, db: Database) throws
    /// Empties the read model (before a rebuild).
    func reset(db: Database) throws
}

extension Projector {
    public func validate(_ event: SignedEvent) throws(EventRejection) {}
    public func reads(type: String) -> Bool { true }
    public func makeStage() -> (any ProjectionStage)? { nil }

    /// The events of `batch` this read model reads, in order (the batch itself when it reads all).
    func ownEvents(_ batch: [ProjectedEvent]) -> [ProjectedEvent] {
        let reads = { (e: ProjectedEvent) in self.reads(type: e.event.envelope.type) }
        return batch.allSatisfy(reads) ? batch : batch.filter(reads)
    }
    public func replay(_ batch: [ProjectedEvent], db: Database) throws { try apply(batch, db: db) }
    public func finishReplay(db: Database) throws {}
}

/// One transaction's projection for a read model, part by part (`Projector.makeStage`):
/// `add` and then `finish` have the effect of one `apply` of all the parts together.
public protocol ProjectionStage: AnyObject {
    /// Stores what a part says (in log order, within the transaction).
    func add(_ batch: [ProjectedEvent], db: Database) throws
    /// Folds and writes what the parts added since the last `finish` touched.
    func finish(db: Database) throws
}
