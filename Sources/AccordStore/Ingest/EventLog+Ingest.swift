import AccordCore
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

    /// After a redaction commits, its erased text may still sit in WAL frames: fold the
    /// WAL into the database (where secure_delete zeroed the freed pages) and truncate it.
    func scrubIfRedacted() throws {
        guard try pool.read({ db in try Self.meta(db, "scrub") }) != nil else { return }
        try pool.writeWithoutTransaction { db in try Self.scrub(db) }
    }

    /// The same without blocking a thread (GRDB's async access), for async writers.
    func scrubIfRedacted() async throws {
        guard try await pool.read({ db in try Self.meta(db, "scrub") }) != nil else { return }
        try await pool.writeWithoutTransaction { db in try Self.scrub(db) }
    }

    /// The checkpoint after a redaction, on the writer connection outside a transaction.
    static func scrub(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM meta WHERE key = 'scrub'")
        // Readers finish their snapshot within the busy timeout; retry a few times.
        for attempt in 0..<5 {
            let (log, checkpointed) = try db.checkpoint(.truncate)
            if log == 0 || log == checkpointed { return }
            Thread.sleep(forTimeInterval: 0.05 * Double(attempt + 1))
        }
    }

    /// Who may be signature-checked, as this node's membership stands now.
    func admission() throws -> Admission { try pool.read { db in try Self.admission(db) } }

    static func admission(_ db: Database) throws -> Admission {
        let heads = try Self.chainHeads(db).heads.mapValues { ChainHead(seq: $0.seq, id: $0.id) }
        return Admission(membership: try MembershipBook.state(db), dataset: try Self.meta(db, "dataset"), heads: heads)
    }

    /// Why an event signed too far beyond its key's revocation is refused
    /// (`MembershipState.keptThrough`).
    static func beyondRevocation(_ env: Envelope, through n: Int, dataset: String?) -> EventRejection {
        EventRejection(
            .unauthorized,
            "\(env.author) was revoked after its seq \(n) in dataset \(dataset ?? "-"); the \(MembershipState.maxEventsBeyondRevocation) "
                + "events after that are kept as invalid evidence, seq \(env.seq) is refused")
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

    /// One write transaction's projection. Appended events are collected per part; `stage`
    /// hands them to the read models that store as they go (and holds them for the others),
    /// `flush` ends the projection of everything appended so far.
    final class PendingProjection {
        let projectors: [any Projector]
        /// Appended since the last `stage`.
        var events: [ProjectedEvent] = []
        private var stages: [(any ProjectionStage)?]
        /// For each read model without a stage: its events, held until `flush`.
        private var held: [[ProjectedEvent]]

        init(_ projectors: [any Projector]) {
            self.projectors = projectors
            stages = projectors.map { $0.makeStage() }
            held = projectors.map { _ in [] }
        }

        func stage(db: Database) throws {
            guard !events.isEmpty else { return }
            for (k, p) in projectors.enumerated() {
                let read = p.ownEvents(events)
                if read.isEmpty { continue }
                if let stage = stages[k] { try stage.add(read, db: db) } else { held[k] += read }
            }
            events.removeAll(keepingCapacity: true)
        }

        func flush(db: Database) throws {
            try stage(db: db)
            for (k, p) in projectors.enumerated() {
                if let stage = stages[k] {
                    try stage.finish(db: db)
                } else if !held[k].isEmpty {
                    try p.apply(held[k], db: db)
                    held[k] = []
                }
            }
        }

        /// The transaction rolled back: what it staged is gone with it.
        func discard() {
            events = []
            stages = projectors.map { $0.makeStage() }
            held = projectors.map { _ in [] }
        }
    }

    /// The error a producer thread met, read after the pipeline has joined it.
    final class ErrorBox: Sendable {
        private let stored = Mutex<(any Error)?>(nil)
        var error: (any Error)? {
            get { stored.withLock { $0 } }
            set { stored.withLock { $0 = newValue } }
        }
    }

    /// Local authoring: places drafts in the key's chain and hands them to the same
    /// append stage as received events, in one transaction. Three stages overlap:
    /// envelopes are built (a hash chain, so sequential), signed on every core, and
    /// appended in order. Signatures made here are not re-verified (this node just
    /// made them); everything else is checked as for received events.
    public func author(
        _ drafts: [EventDraft], key: SigningKey, wallMillis: Int64 = HybridLogicalClock.wallMillis()
    ) throws
        -> [IngestOutcome]
    {
        try author(key: key, wallMillis: wallMillis) { _ in drafts }
    }

    /// Authoring whose drafts are made inside the write transaction, from what it reads
    /// there: a check (a field in conflict, a record that exists) and the write it allows
    /// see the same state, so two edits at once cannot both pass it. No drafts: nothing.
    public func author(
        key: SigningKey, wallMillis: Int64 = HybridLogicalClock.wallMillis(), making: (Database) throws -> [EventDraft]
    ) throws -> [IngestOutcome] {
        let authored = try Self.typingStorageFull {
            try pool.write { db -> [IngestOutcome] in
                let drafts = try making(db)
                if drafts.isEmpty { return [] }
                // One key, one chain: once this node has seen the key sign two different events
                // with one seq, anything more it signs would extend a branch other nodes refuse.
                if let seq = try Int.fetchOne(db, sql: "SELECT min(seq) FROM forks WHERE author = ?", arguments: [key.author.text]) {
                    let admins = try MembershipBook.state(db).activeAdmins.map(\.key)
                    // The fork also ended the key's own authority (`ForkRule`): no other admin, no grant.
                    if admins.allSatisfy({ $0 == key.author.text }) {
                        throw NotAuthorized(
                            "\(key.author.text) signed two different events with seq \(seq) (the key is used on two nodes), so this node no longer signs with it; "
                                + "it was the dataset's only admin, so no other key can be granted: the dataset cannot take membership changes any more. "
                                + "To go on, start a new dataset from the records (`accord export-records`, then `accord init --seed --seed-file FILE` for a new node) with one key per node (`accord forks` shows the evidence)"
                        )
                    }
                    throw NotAuthorized(
                        "\(key.author.text) signed two different events with seq \(seq) (the key is used on two nodes), so this node no longer signs with it; "
                            + "make a key for this node (`accord keygen --out FILE`), have an admin run `accord grant NEWKEY --role ROLE --name NAME`, "
                            + "then sign with --key FILE (`accord forks` shows the evidence)")
                }
                let dataset = try Self.meta(db, "dataset")
                if dataset == nil, drafts.first?.type != Envelope.genesisType {
                    throw NoDataset()
                }
                if let dataset {
                    let head = try Self.head(db, author: key.author.text)
                    switch try MembershipBook.state(db).authorize(key.author.text, seq: (head?.seq ?? 0) + 1) {
                    case .valid: break
                    case .notMember:
                        throw NotAuthorized(
                            "\(key.author.text) is not a member of dataset \(dataset); an admin grants access with `accord grant \(key.author.text) --role editor --name NAME`"
                        )
                    case .revoked(let n):
                        throw NotAuthorized(
                            "\(key.author.text) was revoked after its seq \(n) in dataset \(dataset); it can no longer sign edits")
                    }
                }
                let head = try Self.head(db, author: key.author.text)
                if dataset != nil { try Self.checkMembershipChange(db, drafts: drafts, key: key, firstSeq: (head?.seq ?? 0) + 1) }
                // A stored reading beyond wall time plus the drift bound (written by an older
                // version from a poisoned event) is not followed.
                let lastTime = try Self.meta(db, "clock").flatMap(HLCTime.init).flatMap {
                    HybridLogicalClock.admits($0, wallMillis: wallMillis) ? $0 : nil
                }
                let chunk = 256
                let projection = PendingProjection(projectors)
                var outcomes: [IngestOutcome] = []
                outcomes.reserveCapacity(drafts.count)
                try OrderedPipeline.run(
                    produce: { emit in
                        var dataset = dataset
                        var clock = HybridLogicalClock(last: lastTime ?? HLCTime(millis: 0))
                        var seq = head?.seq ?? 0
                        var prev = head?.id
                        var start = 0
                        while start < drafts.count {
                            let end = min(start + chunk, drafts.count)
                            var unsigned: [UnsignedEvent] = []
                            unsigned.reserveCapacity(end - start)
                            for draft in drafts[start..<end] {
                                // A curation body carries a random salt, so an erased body cannot be guessed from its hash.
                                let d = draft.salted()
                                let isGenesis = d.type == Envelope.genesisType
                                let u = UnsignedEvent(
                                    draft: d, dataset: isGenesis ? nil : dataset, author: key.author, seq: seq + 1, prev: prev,
                                    time: clock.tick(wallMillis: wallMillis))
                                if isGenesis && dataset == nil { dataset = u.id }
                                seq += 1
                                prev = u.id
                                unsigned.append(u)
                            }
                            guard emit(unsigned) else { return }
                            start = end
                        }
                    },
                    transform: { [self] (part: [UnsignedEvent]) in
                        part.map { u in Result<SignedEvent, EventRejection>.success(u.signed(by: key)).flatMap(validatePayload) }
                    },
                    consume: { signed in outcomes += try appendChecked(signed, db: db, projection: projection) })
                try projection.flush(db: db)
                return outcomes
            }
        }
        try scrubIfRedacted()
        return authored
    }

    /// Refuses grants and revocations that would have no effect, not the effect they say,
    /// or leave the dataset without an admin, and redactions of events that say who may
    /// write (`RedactionRule`), before anything is signed.
    static func checkMembershipChange(_ db: Database, drafts: [EventDraft], key: SigningKey, firstSeq: Int) throws {
        for d in drafts where d.type == AuthorizationEvent.Kind.redacted.rawValue {
            guard case .redacted(let target, _)? = try? AuthorizationEvent(type: d.type, schema: d.schema, subject: d.subject, body: d.body)
            else { continue }
            if let type = try String.fetchOne(db, sql: "SELECT type FROM events WHERE id = ?", arguments: [target]),
                !RedactionRule.mayErase(targetType: type)
            {
                throw EditRefused("refused before signing: \(type) events cannot be redacted: they say who may write")
            }
        }
        var proposed: [MembershipFact] = []
        for (k, d) in drafts.enumerated() {
            guard d.type == AuthorizationEvent.Kind.granted.rawValue || d.type == AuthorizationEvent.Kind.revoked.rawValue,
                let e = try? AuthorizationEvent(type: d.type, schema: d.schema, subject: d.subject, body: d.body)
            else { continue }
            // "~" sorts after every time: the proposed facts come after everything this node holds.
            proposed.append(MembershipFact(id: "proposed-\(k)", author: key.author.text, seq: firstSeq + k, time: "~", event: e))
        }
        guard !proposed.isEmpty else { return }
        let facts = try MembershipBook.facts(db)
        let genesis = try MembershipBook.genesisAuthor(db)
        let before = Membership.fold(genesisAuthor: genesis, facts: facts)
        let after = Membership.fold(genesisAuthor: genesis, facts: facts + proposed)
        if let why = MembershipChange.refusal(before: before, after: after, proposed: proposed) {
            // A key that may not change the membership at all is refused as such; an admin's
            // change that would have no effect, or leave no admin, is a refused edit.
            if !before.activeAdmins.contains(where: { $0.key == key.author.text }) {
                throw NotAuthorized("refused before signing: " + why)
            }
            throw EditRefused("refused before signing: " + why)
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

    /// Records a membership fact or a redaction and carries out its consequences: the
    /// members are re-folded and events whose validity changed are re-marked in every
    /// read model; a redaction erases the target's body and what the read models took from it.
    func applyAuthorization(
        _ a: AuthorizationEvent, event e: SignedEvent, valid: Bool, membership: MembershipState, db: Database
    ) throws
        -> MembershipState
    {
        let env = e.envelope
        switch a {
        case .granted, .revoked:
            try db.execute(
                sql: "INSERT OR IGNORE INTO auth_facts(event_id, author, seq, time, body, type, subject) VALUES (?,?,?,?,?,?,?)",
                arguments: [e.id, env.author, env.seq, env.timeText, e.body!.canonicalString, env.type, env.subject])
            return try refold(from: membership, author: env.author, db: db)
        case .redacted(let target, _):
            guard valid else { return membership }
            try settleRedaction(of: target, db: db)
            return membership
        }
    }

    /// Folds the membership again after its facts or the fork evidence changed and, when it
    /// differs from `membership`, re-marks the events whose validity changed in every read
    /// model (and the redactions among them).
    func refold(from membership: MembershipState, author: String, db: Database) throws -> MembershipState {
        let next = try MembershipBook.state(db)
        guard next != membership else { return next }
        var authors = Set(next.members.keys).union(membership.members.keys)
        authors.insert(author)
        try rejudge(next, authors: authors, db: db)
        return next
    }

    /// Writes `state`'s members and re-marks the events of `authors` (nil: every author)
    /// whose validity it changes, in every read model, and the redactions among them.
    func rejudge(_ state: MembershipState, authors: Set<String>?, db: Database) throws {
        try MembershipBook.writeMembers(db, state)
        let (invalidated, revalidated) = try MembershipBook.reconcile(db, state: state, authors: authors)
        for p in projectors {
            if !invalidated.isEmpty { try p.setValidity(invalidated, valid: false, db: db) }
            if !revalidated.isEmpty { try p.setValidity(revalidated, valid: true, db: db) }
        }
        try settleRedactions(of: invalidated + revalidated, db: db)
    }

    /// After a migration that changes what counts (`v10-fork-stamp`: the fork rule), every
    /// event's validity is judged again, once, in every read model.
    func rejudgeIfAsked() throws {
        guard try pool.read({ db in try Self.meta(db, "refold") }) != nil else { return }
        try pool.write { db in
            try rejudge(try MembershipBook.state(db), authors: nil, db: db)
            try db.execute(sql: "DELETE FROM meta WHERE key = 'refold'")
        }
    }

    /// Redactions follow their signers' validity, as every other event does: among the
    /// events `ids` whose validity just changed, the redactions are settled again.
    func settleRedactions(of ids: [String], db: Database) throws {
        guard !ids.isEmpty else { return }
        let subject = try db.cachedStatement(sql: "SELECT subject FROM events WHERE id = ? AND type = 'event.redacted'")
        var targets: Set<String> = []
        for id in ids { if let t = try String.fetchOne(subject, arguments: [id]) { targets.insert(t) } }
        for t in targets.sorted() { try settleRedaction(of: t, db: db) }
    }

    /// Makes this node's redaction of `target` what its valid redaction events say. The
    /// first valid one erases the body (once) and what the read models took from it. When
    /// none is valid any more (its signer's revocation arrived after it), the redaction no
    /// longer counts, and an erased body is owed again: a sync asks peers for it by id, as
    /// for a body stripped in transit, and it takes effect when it comes. Otherwise a node
    /// that took a revoked admin's redaction before the revocation would differ for good,
    /// silently, from one that heard of the revocation first.
    ///
    /// A redaction is judged only once its target is known (`RedactionRule`): until then it
    /// is held (stored, in no effect); a redaction of a genesis or membership event never
    /// takes effect, whatever the order of arrival.
    func settleRedaction(of target: String, db: Database) throws {
        guard let targetType = try String.fetchOne(db, sql: "SELECT type FROM events WHERE id = ?", arguments: [target]),
            RedactionRule.mayErase(targetType: targetType)
        else {
            try db.execute(sql: "DELETE FROM redactions WHERE target = ?", arguments: [target])
            return
        }
        // Decoded as the stored event it is (its envelope gives the body's schema).
        let valid = try Row.fetchAll(
            db,
            sql: StoredEvent.selectSQL + """
                 WHERE e.type = 'event.redacted' AND e.subject = ?
                AND NOT EXISTS (SELECT 1 FROM invalid_events i WHERE i.event_id = e.id) ORDER BY e.pos
                """, arguments: [target]
        ).lazy.map(StoredEvent.init(row:)).compactMap { s -> (id: String, time: String, author: String, reason: String)? in
            guard let e = try? s.decoded(), let body = e.body,
                case .redacted(_, let reason)? = try? AuthorizationEvent(
                    type: s.type, schema: e.envelope.schema, subject: s.subject, body: body)
            else { return nil }
            return (s.id, s.time, s.author, reason)
        }.first
        let held = try String.fetchOne(db, sql: "SELECT event_id FROM redactions WHERE target = ?", arguments: [target])
        let pos = try Int64.fetchOne(db, sql: "SELECT pos FROM events WHERE id = ?", arguments: [target])
        if let valid {
            guard held != valid.id else { return }
            try db.execute(
                sql: "INSERT OR REPLACE INTO redactions(target, event_id, reason, time, author) VALUES (?,?,?,?,?)",
                arguments: [target, valid.id, valid.reason, valid.time, valid.author])
            // Erased once: a redaction that replaces an invalid one finds the body gone already.
            guard let pos,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM bodies WHERE pos = ?", arguments: [pos]) == true
                    || Bool.fetchOne(db, sql: "SELECT 1 FROM pending_bodies WHERE event_id = ?", arguments: [target]) == true
            else { return }
            try db.execute(sql: "DELETE FROM bodies WHERE pos = ?", arguments: [pos])
            try db.execute(sql: "DELETE FROM pending_bodies WHERE event_id = ?", arguments: [target])
            for p in projectors { try p.redact(target, db: db) }
            // The old pages still sit in the WAL: the writer checkpoints once this commits.
            try Self.setMeta(db, "scrub", "1")
        } else if held != nil {
            try db.execute(sql: "DELETE FROM redactions WHERE target = ?", arguments: [target])
            if let pos, try Bool.fetchOne(db, sql: "SELECT 1 FROM bodies WHERE pos = ?", arguments: [pos]) != true {
                try db.execute(sql: "INSERT OR IGNORE INTO pending_bodies(event_id, pos) VALUES (?, ?)", arguments: [target, pos])
            }
        }
    }

    static func head(_ db: Database, author: String) throws -> ChainHead? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, id FROM events WHERE author = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [author]
        ).map { ChainHead(seq: $0[0], id: $0[1]) }
    }

    /// Fork evidence kept per key: enough to prove and show an equivocation, bounded.
    static let maxForksPerAuthor = 16

    /// The append stage: runs inside the caller's write transaction.
    /// `projection`: the transaction's events still to be projected, when the caller
    /// appends several parts in one transaction and projects them together before it
    /// commits; without it, this part is projected before returning.
    func appendChecked(
        _ checked: [Result<SignedEvent, EventRejection>], db: Database, projection: PendingProjection? = nil
    ) throws -> [IngestOutcome] {
        let ownsProjection = projection == nil
        var dataset = try Self.meta(db, "dataset")
        let clockBefore = try Self.meta(db, "clock") ?? ""
        var clock = clockBefore
        let wall = HybridLogicalClock.wallMillis()
        var membership = try MembershipBook.state(db)
        let isRedacted = try db.cachedStatement(sql: "SELECT 1 FROM redactions WHERE target = ?")
        // Most batches meet no redaction and no pending body: skip the per-event lookups then.
        var anyRedactions = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM redactions LIMIT 1")) ?? false
        let hasRedaction = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE type = 'event.redacted' AND subject = ?")
        var anyRedactionEvents =
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM events WHERE type = 'event.redacted' LIMIT 1")) ?? false
        var anyPending = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM pending_bodies LIMIT 1")) ?? false
        var heads: [String: ChainHead?] = [:]
        var outcomes = [IngestOutcome?](repeating: nil, count: checked.count)
        var pending: [Int] = []
        for (i, c) in checked.enumerated() {
            switch c {
            case .success: pending.append(i)
            case .failure(let r): outcomes[i] = .rejected(r)
            }
        }
        let idAt = try db.cachedStatement(sql: "SELECT id FROM events WHERE author = ? AND seq = ?")
        // Cached: a group commit appends many small parts, each would prepare them again.
        let insertEvent = try RawStatement(
            cached: db, sql: "INSERT INTO events(id, author, seq, prev, type, subject, time, envelope, sig) VALUES (?,?,?,?,?,?,?,?,?)")
        let insertBody = try RawStatement(cached: db, sql: "INSERT INTO bodies(pos, body) VALUES (?, ?)")
        // The read models take the transaction's events at once (each touched row written
        // once), and before any membership change or redaction, which re-fold what they touch.
        let projection = projection ?? PendingProjection(projectors)
        func project() throws { try projection.flush(db: db) }
        // Events that arrive ahead of their predecessor in the same batch get another pass.
        while !pending.isEmpty {
            var retry: [Int] = []
            var progressed = false
            for i in pending {
                guard case .success(let e) = checked[i] else { continue }
                let env = e.envelope
                let head: ChainHead?
                if let cached = heads[env.author] {
                    head = cached
                } else {
                    head = try Self.head(db, author: env.author)
                    heads[env.author] = head
                }
                let held = env.seq <= (head?.seq ?? 0) ? try String.fetchOne(idAt, arguments: [env.author, env.seq]) : nil
                switch ChainRules.decide(id: e.id, envelope: env, dataset: dataset, head: head, idAtSeq: held, wallMillis: wall) {
                case .duplicate:
                    outcomes[i] = .duplicate(id: e.id)
                    // A copy with the body this node was waiting for: the event takes effect now.
                    if anyPending, let body = e.bodyBytes,
                        let pos = try Int64.fetchOne(
                            db.cachedStatement(sql: "SELECT pos FROM pending_bodies WHERE event_id = ?"), arguments: [e.id])
                    {
                        insertBody.bind(1, pos)
                        insertBody.bind(2, blob: body)
                        try insertBody.run()
                        try db.execute(sql: "DELETE FROM pending_bodies WHERE event_id = ?", arguments: [e.id])
                        let valid = try Bool.fetchOne(db, sql: "SELECT 1 FROM invalid_events WHERE event_id = ?", arguments: [e.id]) == nil
                        projection.events.append(ProjectedEvent(event: e, position: pos, valid: valid))
                        outcomes[i] = .accepted(id: e.id)
                        progressed = true
                    }
                case .append(let adopts):
                    var invalidReason: String?
                    if !env.isGenesis {
                        switch membership.authorize(env.author, seq: env.seq) {
                        case .notMember:
                            outcomes[i] = .rejected(
                                EventRejection(
                                    .unauthorized,
                                    "\(env.author) is not a member of dataset \(dataset ?? "-"); an admin must grant it first"))
                            // Its grant may come later in the same batch.
                            retry.append(i)
                            continue
                        case .revoked(let n):
                            // Kept as invalid evidence, up to `keptThrough`.
                            if let kept = membership.keptThrough(env.author), env.seq > kept {
                                outcomes[i] = .rejected(Self.beyondRevocation(env, through: n, dataset: dataset))
                                continue
                            }
                            invalidReason = membership.refusal(env.author, seq: env.seq)
                        case .valid(let role):
                            if AuthorizationEvent.isAuthorizationType(env.type) && role != .admin {
                                outcomes[i] = .rejected(
                                    EventRejection(
                                        .unauthorized,
                                        "only an admin may sign \(env.type); \(env.author) is an editor of dataset \(dataset ?? "-")"))
                                continue
                            }
                        }
                    }
                    // A redaction of a genesis or membership event is stored (its signer's
                    // chain stays whole on every node) and has no effect (`RedactionRule`).
                    var authEvent: AuthorizationEvent?
                    if AuthorizationEvent.isAuthorizationType(env.type), let body = e.body {
                        authEvent = try? AuthorizationEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
                    }
                    // A body whose redaction is already in effect is not stored again; one
                    // whose redaction was held until it came is judged once it is stored.
                    let knownRedacted = try anyRedactions && Bool.fetchOne(isRedacted, arguments: [e.id]) == true
                    let heldRedaction = try !knownRedacted && anyRedactionEvents && Bool.fetchOne(hasRedaction, arguments: [e.id]) == true
                    let dropBody = knownRedacted
                    // Without a body and without a known redaction, the body is owed (PendingBodies.swift).
                    var bodyPending = false
                    if e.bodyBytes == nil && !knownRedacted {
                        if env.isGenesis || AuthorizationEvent.isAuthorizationType(env.type) {
                            outcomes[i] = .rejected(
                                EventRejection(.badShape, "a \(env.type) event must carry its body: who may write never waits for a body"))
                            continue
                        }
                        bodyPending = true
                    }
                    let stored =
                        dropBody
                        ? SignedEvent(
                            id: e.id, envelope: env, envelopeBytes: e.envelopeBytes, signature: e.signature, body: nil, bodyBytes: nil)
                        : e
                    insertEvent.bind(1, e.id)
                    insertEvent.bind(2, env.author)
                    insertEvent.bind(3, Int64(env.seq))
                    insertEvent.bind(4, env.prev)
                    insertEvent.bind(5, env.type)
                    insertEvent.bind(6, env.subject)
                    insertEvent.bind(7, env.timeText)
                    insertEvent.bind(8, blob: e.envelopeBytes)
                    insertEvent.bind(9, e.signature)
                    try insertEvent.run()
                    let pos = db.lastInsertedRowID
                    if let b = stored.bodyBytes {
                        insertBody.bind(1, pos)
                        insertBody.bind(2, blob: b)
                        try insertBody.run()
                    }
                    if adopts {
                        dataset = e.id
                        try Self.setMeta(db, "dataset", e.id)
                        if let name = e.body?["name"]?.stringValue { try Self.setMeta(db, "name", name) }
                        membership = MembershipState.fold(genesisAuthor: env.author, facts: [])
                        try MembershipBook.writeMembers(db, membership)
                    }
                    heads[env.author] = ChainHead(seq: env.seq, id: e.id)
                    // Only an event that counts, stamped no later than wall time plus the drift
                    // bound, moves the clock: a stranger or a revoked key cannot poison it.
                    if invalidReason == nil, env.timeText > clock, HybridLogicalClock.admits(env.time, wallMillis: wall) {
                        clock = env.timeText
                    }
                    if let why = invalidReason {
                        try db.execute(
                            sql: "INSERT OR IGNORE INTO invalid_events(event_id, author, seq, reason) VALUES (?,?,?,?)",
                            arguments: [e.id, env.author, env.seq, why])
                    }
                    if bodyPending {
                        try db.execute(sql: "INSERT INTO pending_bodies(event_id, pos) VALUES (?, ?)", arguments: [e.id, pos])
                        anyPending = true
                    } else {
                        projection.events.append(ProjectedEvent(event: stored, position: pos, valid: invalidReason == nil))
                    }
                    if heldRedaction {
                        try project()
                        try settleRedaction(of: e.id, db: db)
                        anyRedactions = true
                    }
                    if let authEvent {
                        try project()
                        if case .redacted = authEvent {
                            anyRedactions = true
                            anyRedactionEvents = true
                        }
                        membership = try applyAuthorization(
                            authEvent, event: e, valid: invalidReason == nil, membership: membership, db: db)
                        if invalidReason == nil,
                            let why = try String.fetchOne(
                                db, sql: "SELECT reason FROM invalid_events WHERE event_id = ?", arguments: [e.id])
                        {
                            invalidReason = why
                        }
                    }
                    outcomes[i] = invalidReason.map { .invalid(id: e.id, reason: $0) } ?? .accepted(id: e.id)
                    progressed = true
                case .fork(let existing):
                    // Evidence this node already keeps (a re-import of an export, a peer's
                    // window of a fork both know) is a duplicate: nothing new was learnt.
                    if try Bool.fetchOne(db, sql: "SELECT 1 FROM forks WHERE fork_id = ?", arguments: [e.id]) == true {
                        outcomes[i] = .duplicate(id: e.id)
                        continue
                    }
                    // Evidence is kept only for keys that may sign that seq, as the signed envelope without its body
                    // (a body could carry what a redaction removed), and at most
                    // `maxForksPerAuthor` per key: a revoked or stray key cannot fill the disk.
                    guard case .valid = membership.authorize(env.author, seq: env.seq) else {
                        if let fork = membership.forkedAt[env.author] {
                            outcomes[i] = .rejected(EventRejection(.equivocation, ForkRule.reason(env.author, forkSeq: fork)))
                            continue
                        }
                        outcomes[i] = .rejected(
                            EventRejection(
                                .unauthorized, "\(env.author) is not a member of dataset \(dataset ?? "-"); an admin must grant it first"))
                        continue
                    }
                    let held = try Int.fetchOne(db, sql: "SELECT count(*) FROM forks WHERE author = ?", arguments: [env.author]) ?? 0
                    if held < Self.maxForksPerAuthor {
                        try db.execute(
                            sql: """
                                INSERT INTO forks(fork_id, author, seq, existing_id, envelope, sig, body, detected_at)
                                VALUES (?,?,?,?,?,?,NULL,?) ON CONFLICT(fork_id) DO NOTHING
                                """,
                            arguments: [
                                e.id, env.author, env.seq, existing, Data(e.envelopeBytes), e.signature,
                                HLCTime(millis: HybridLogicalClock.wallMillis()).description,
                            ])
                        // The fork rule: from its lowest fork seq on, nothing the key signed
                        // counts, on either branch (`ForkRule`). The read models take this
                        // transaction's events first, then the events that no longer count leave them.
                        if env.seq < membership.forkedAt[env.author] ?? .max {
                            try project()
                            membership = try refold(from: membership, author: env.author, db: db)
                        }
                    }
                    outcomes[i] = .rejected(
                        EventRejection(
                            .equivocation,
                            "\(env.author) signed two events with seq \(env.seq): \(existing.prefix(12))... is stored, \(e.id.prefix(12))... is kept as evidence; from seq \(min(env.seq, membership.forkedAt[env.author] ?? env.seq)) on nothing it signed counts"
                        ))
                case .reject(let r):
                    outcomes[i] = .rejected(r)
                    // Its predecessor (or the genesis) may come later in the same batch.
                    if (r.code == .seqGap && env.seq > (head?.seq ?? 0) + 1) || r.code == .noDataset { retry.append(i) }
                }
            }
            if !progressed { break }
            pending = retry
        }
        // A caller's projection ends with its transaction; this part's events are stored now.
        if ownsProjection { try project() } else { try projection.stage(db: db) }
        // The latest clock reading in the log, for the next local event's hybrid logical clock.
        if clock != clockBefore { try Self.setMeta(db, "clock", clock) }
        return outcomes.map { $0! }
    }
}
