public import AccordCore
import Foundation
import GRDB
import Synchronization

extension EventLog {
    /// The ingest pipeline for received events (imports, sync): size limits, decode,
    /// id, body hash and signature checks on every core, then, in one transaction,
    /// dataset and chain checks, append and projection. Each line gets an outcome;
    /// a rejected line changes nothing and does not stop the others.
    public func ingest(lines: [[UInt8]], limits: EventLimits = .standard) throws -> [IngestOutcome] {
        let admission = try admission()
        admission.receive(lines.count)
        admission.learnGrants(in: lines, limits: limits, validate: validatePayload)
        let checked = check(lines, limits: limits, admission: admission)
        let outcomes = try Self.typingStorageFull { try pool.write { db in try appendChecked(checked, db: db) } }
        try scrubIfRedacted()
        return outcomes
    }

    /// Who may be signature-checked, as this node's membership stands now.
    func admission() throws -> Admission { try pool.read { db in try Self.admission(db) } }

    static func admission(_ db: Database) throws -> Admission {
        let heads = try Self.chainHeads(db).heads.mapValues { ChainHead(seq: $0.seq, id: $0.id) }
        return Admission(membership: try MembershipBook.state(db), dataset: try Self.meta(db, "dataset"), heads: heads)
    }

    /// The pipeline over a stream of batches. `next` is called on a producer thread
    /// and returns nil at the end; signatures are checked on every core while earlier
    /// events are appended. Each batch is appended in its own transaction, holding the
    /// writer only for that transaction, and `handle` receives its outcomes, in order. When
    /// a batch fails, `cancel` is called so that a `next` waiting for its input returns (nil)
    /// and the pipeline can end.
    /// - Parameter partLines: lines checked and appended as one part (tests make it small so
    ///   that one transaction's projection spans many parts).
    public func ingest(
        limits: EventLimits = .standard, partLines: Int = 256, next: @escaping @Sendable () throws -> [[UInt8]]?,
        cancel: () -> Void = {}, handle: ([IngestOutcome]) throws -> Void
    ) throws {
        struct Part: Sendable {
            let lines: ArraySlice<[UInt8]>
            let last: Bool
            let bytes: Int
        }
        let producerError = ErrorBox()
        let budget = ByteBudget(limit: Self.maxBytesInFlight)
        let admission = try admission()
        let projection = PendingProjection(projectors)
        try Self.typingStorageFull {
            // Memory: the parts waiting to be checked or appended hold at most
            // `maxBytesInFlight` of lines (256 parts may run ahead, so the checks go on while
            // the appender projects and commits a batch), besides the batch being split.
            try OrderedPipeline.run(
                produce: { emit in
                    do {
                        while let batch = try next() {
                            if batch.isEmpty { continue }
                            // Grants come before their grantees' events in any valid order, so
                            // learning them here, ahead of the checks, admits those events.
                            admission.receive(batch.count)
                            admission.learnGrants(in: batch, limits: limits, validate: validatePayload)
                            // Parts of at most `partLines` lines and `maxPartBytes` bytes (one
                            // longer line makes a part of its own).
                            var k = 0
                            while k < batch.count {
                                var end = k
                                var bytes = 0
                                while end < batch.count, end - k < max(1, partLines),
                                    end == k || bytes + batch[end].count <= Self.maxPartBytes
                                {
                                    bytes += batch[end].count
                                    end += 1
                                }
                                guard budget.acquire(bytes), emit(Part(lines: batch[k..<end], last: end == batch.count, bytes: bytes))
                                else { return }
                                k = end
                            }
                        }
                    } catch {
                        producerError.error = error
                    }
                },
                onCancel: {
                    cancel()
                    budget.cancel()
                },
                transform: { [self] (part: Part) in
                    (part, check(Array(part.lines), limits: limits, admission: admission, parallel: false))
                },
                drain: { nextPart in
                    // The writer is taken per batch, once its first part is checked, and let go
                    // when the batch commits: a batch's parts are all in memory, so the writer
                    // never waits for the peer. Between batches, while the stream waits for the
                    // peer's next bytes, other writes (edits, other pushes) take their turn.
                    while let first = nextPart() {
                        let outcomes = try pool.write { db in
                            var outcomes: [IngestOutcome] = []
                            var current: (part: Part, checked: [Result<SignedEvent, EventRejection>])? = first
                            do {
                                while let (part, checked) = current {
                                    outcomes += try appendChecked(checked, db: db, projection: projection)
                                    budget.release(part.bytes)
                                    // The producer emits a batch's parts together: only a
                                    // cancelled pipeline ends one early.
                                    current = part.last ? nil : nextPart()
                                }
                                try projection.flush(db: db)
                            } catch {
                                // The transaction rolls back, and what it staged with it.
                                projection.discard()
                                throw error
                            }
                            return outcomes
                        }
                        try handle(outcomes)
                    }
                })
        }
        try scrubIfRedacted()
        if let e = producerError.error { throw e }
    }

    /// A streaming ingest's parts: how large one may be (besides one longer line), and how many
    /// bytes of them may wait for the checks or the appender (events may be 2 MiB each: 256
    /// parts of such lines would be gigabytes).
    static let maxPartBytes = 4 << 20
    static let maxBytesInFlight = 256 << 20

    /// Runs a write, turning SQLite's "database or disk is full" into `StorageFullError`.
    static func typingStorageFull<T>(_ write: () throws -> T) throws -> T {
        do {
            return try write()
        } catch {
            throw StorageFullError(error) ?? error
        }
    }

    func check(
        _ lines: [[UInt8]], limits: EventLimits, admission: Admission, parallel: Bool = true
    ) -> [Result<SignedEvent, EventRejection>] {
        let f = { @Sendable (line: [UInt8]) in
            admission.verify(line: line, limits: limits).flatMap { self.validatePayload($0) }
        }
        return parallel ? Parallel.map(lines, minChunk: 32, f) : lines.map(f)
    }

    /// The error a producer thread met, read after the pipeline has joined it.
    final class ErrorBox: Sendable {
        private let stored = Mutex<(any Error)?>(nil)
        var error: (any Error)? {
            get { stored.withLock { $0 } }
            set { stored.withLock { $0 = newValue } }
        }
    }

    func validatePayload(_ e: SignedEvent) -> Result<SignedEvent, EventRejection> {
        var e = e
        do throws(EventRejection) {
            if e.envelope.isGenesis, let body = e.body {
                guard let name = body["name"]?.stringValue, (1...200).contains(name.count) else {
                    throw EventRejection(.invalidPayload, "dataset.created body needs a name of 1 to 200 characters")
                }
            }
            let env = e.envelope
            if AuthorizationEvent.isAuthorizationType(env.type), let body = e.body {
                do {
                    _ = try AuthorizationEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
                } catch {
                    throw EventRejection(.invalidPayload, "\(env.type): \(error.message)")
                }
            }
            // A curation event is decoded here, on the check stage's threads, and carried
            // to the projection (which runs on the one writer thread).
            if DomainEvent.isDomainType(env.type), let body = e.body {
                do {
                    e.domain = try DomainEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
                } catch {
                    throw EventRejection(.invalidPayload, "\(env.type): \(error.message)")
                }
            }
            for p in projectors { try p.validate(e) }
            return .success(e)
        } catch {
            return .failure(error)
        }
    }
}
