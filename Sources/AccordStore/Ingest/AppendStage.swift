import AccordCore
import Foundation
import GRDB

extension EventLog {
    /// The append stage: runs inside the caller's write transaction.
    /// `projection`: the transaction's events still to be projected, when the caller
    /// appends several parts in one transaction and projects them together before it
    /// commits; without it, this part is projected before returning.
    func appendChecked(
        _ checked: [Result<SignedEvent, EventRejection>], db: Database, projection: PendingProjection? = nil
    ) throws -> [IngestOutcome] {
        let stage = try AppendStage(log: self, db: db, projection: projection ?? PendingProjection(projectors))
        let outcomes = try stage.run(checked)
        // A caller's projection ends with its transaction; this part's events are stored now.
        try stage.finish(projecting: projection == nil)
        // Each event stored is a leaf of this node's transparency log, in the same transaction.
        try TransparencyLog.extend(db, appended: stage.appended)
        return outcomes
    }
}

/// Carries out, inside one write transaction, what `ChainRules` and `IngestRules` decide
/// for each checked event, and answers the facts those decisions ask for. It keeps what
/// the transaction changes as it goes (the dataset, the membership, the chain heads, the
/// clock), so that later events of the batch are judged against earlier ones.
final class AppendStage: IngestFacts {
    let log: EventLog
    let db: Database
    let projection: PendingProjection
    private var dataset: String?
    private var membership: MembershipState
    private let clockBefore: String
    private var clock: String
    private let wall = HybridLogicalClock.wallMillis()
    private var heads: [String: ChainHead?] = [:]
    /// The events this stage stored, in order: the transparency log's new leaves.
    private(set) var appended: [(pos: Int64, id: String)] = []
    // Most batches meet no redaction and no pending body: the per-event lookups are skipped then.
    private var anyRedactions: Bool
    private var anyRedactionEvents: Bool
    private var anyPending: Bool
    private let idAt: Statement
    private let isRedacted: Statement
    private let hasRedaction: Statement
    // Cached: a group commit appends many small parts, each would prepare them again.
    private let insertEvent: RawStatement
    private let insertBody: RawStatement

    init(log: EventLog, db: Database, projection: PendingProjection) throws {
        self.log = log
        self.db = db
        self.projection = projection
        dataset = try EventLog.meta(db, "dataset")
        clockBefore = try EventLog.meta(db, "clock") ?? ""
        clock = clockBefore
        membership = try MembershipBook.state(db)
        anyRedactions = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM redactions LIMIT 1")) ?? false
        anyRedactionEvents =
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM events WHERE type = 'event.redacted' LIMIT 1")) ?? false
        anyPending = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM pending_bodies LIMIT 1")) ?? false
        idAt = try db.cachedStatement(sql: "SELECT id FROM events WHERE author = ? AND seq = ?")
        isRedacted = try db.cachedStatement(sql: "SELECT 1 FROM redactions WHERE target = ?")
        hasRedaction = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE type = 'event.redacted' AND subject = ?")
        insertEvent = try RawStatement(
            cached: db, sql: "INSERT INTO events(id, author, seq, prev, type, subject, time, envelope, sig) VALUES (?,?,?,?,?,?,?,?,?)")
        insertBody = try RawStatement(cached: db, sql: "INSERT INTO bodies(pos, body) VALUES (?, ?)")
    }

    /// Each checked line's outcome. Events that arrive ahead of their predecessor (or grant)
    /// in the same batch get another pass, as long as a pass appends something.
    func run(_ checked: [Result<SignedEvent, EventRejection>]) throws -> [IngestOutcome] {
        var outcomes = [IngestOutcome?](repeating: nil, count: checked.count)
        var pending: [(Int, SignedEvent)] = []
        for (i, c) in checked.enumerated() {
            switch c {
            case .success(let e): pending.append((i, e))
            case .failure(let r): outcomes[i] = .rejected(r)
            }
        }
        while !pending.isEmpty {
            var retry: [(Int, SignedEvent)] = []
            var progressed = false
            for (i, e) in pending {
                let (outcome, again) = try step(e)
                outcomes[i] = outcome
                if again { retry.append((i, e)) }
                if case .accepted = outcome { progressed = true } else if case .invalid = outcome { progressed = true }
            }
            if !progressed { break }
            pending = retry
        }
        return outcomes.map { $0! }
    }

    /// Ends the part: its events go to the read models (all of them, or staged for the
    /// caller's flush), and the clock reading is kept for the next local event.
    func finish(projecting: Bool) throws {
        if projecting { try projection.flush(db: db) } else { try projection.stage(db: db) }
        if clock != clockBefore { try EventLog.setMeta(db, "clock", clock) }
    }

    /// One event: decided, then carried out. Returns its outcome and whether to try it again.
    private func step(_ e: SignedEvent) throws -> (IngestOutcome, retry: Bool) {
        let env = e.envelope
        let head = try head(env.author)
        let held = try env.seq <= (head?.seq ?? 0) ? String.fetchOne(idAt, arguments: [env.author, env.seq]) : nil
        let chain = ChainRules.decide(id: e.id, envelope: env, dataset: dataset, head: head, idAtSeq: held, wallMillis: wall)
        let action = try IngestRules.decide(
            id: e.id, envelope: env, hasBody: e.bodyBytes != nil, chain: chain, membership: membership, dataset: dataset,
            headSeq: head?.seq ?? 0, facts: self)
        switch action {
        case .duplicate: return (.duplicate(id: e.id), false)
        case .fillBody: return (try fillBody(e), false)
        case .append(let a): return (try append(e, a), false)
        case .fork(let existing, let keep): return (try fork(e, existing: existing, keep: keep), false)
        case .refuse(let r, let retry): return (.rejected(r), retry)
        }
    }

    private func head(_ author: String) throws -> ChainHead? {
        if let cached = heads[author] { return cached }
        let head = try EventLog.head(db, author: author)
        heads[author] = head
        return head
    }

    /// A copy with the body this node was waiting for: the event takes effect now.
    private func fillBody(_ e: SignedEvent) throws -> IngestOutcome {
        guard let body = e.bodyBytes,
            let pos = try Int64.fetchOne(db.cachedStatement(sql: "SELECT pos FROM pending_bodies WHERE event_id = ?"), arguments: [e.id])
        else { return .duplicate(id: e.id) }
        insertBody.bind(1, pos)
        insertBody.bind(2, blob: body)
        try insertBody.run()
        try db.execute(sql: "DELETE FROM pending_bodies WHERE event_id = ?", arguments: [e.id])
        let valid = try Bool.fetchOne(db, sql: "SELECT 1 FROM invalid_events WHERE event_id = ?", arguments: [e.id]) == nil
        projection.events.append(ProjectedEvent(event: e, position: pos, valid: valid))
        return .accepted(id: e.id)
    }

    private func append(_ e: SignedEvent, _ a: IngestAction.Append) throws -> IngestOutcome {
        let env = e.envelope
        let stored =
            a.dropBody
            ? SignedEvent(id: e.id, envelope: env, envelopeBytes: e.envelopeBytes, signature: e.signature, body: nil, bodyBytes: nil)
            : e
        let pos = try insert(stored)
        if a.adoptsDataset { try adoptDataset(e) }
        heads[env.author] = ChainHead(seq: env.seq, id: e.id)
        // Only an event that counts, stamped no later than wall time plus the drift bound,
        // moves the clock: a stranger or a revoked key cannot poison it.
        if a.invalidReason == nil, env.timeText > clock, HybridLogicalClock.admits(env.time, wallMillis: wall) {
            clock = env.timeText
        }
        if let why = a.invalidReason {
            try db.execute(
                sql: "INSERT OR IGNORE INTO invalid_events(event_id, author, seq, reason) VALUES (?,?,?,?)",
                arguments: [e.id, env.author, env.seq, why])
        }
        if a.bodyPending {
            try db.execute(sql: "INSERT INTO pending_bodies(event_id, pos) VALUES (?, ?)", arguments: [e.id, pos])
            anyPending = true
        } else {
            projection.events.append(ProjectedEvent(event: stored, position: pos, valid: a.invalidReason == nil))
        }
        if a.settlesHeldRedaction {
            try projection.flush(db: db)
            try log.settleRedaction(of: e.id, db: db)
            anyRedactions = true
        }
        var invalidReason = a.invalidReason
        // A redaction of a genesis or membership event is stored (its signer's chain stays
        // whole on every node) and has no effect (`RedactionRule`).
        if AuthorizationEvent.isAuthorizationType(env.type), let body = e.body,
            let authEvent = try? AuthorizationEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
        {
            // The read models take the transaction's events first: a membership change or a
            // redaction re-folds what it touches.
            try projection.flush(db: db)
            if case .redacted = authEvent {
                anyRedactions = true
                anyRedactionEvents = true
            }
            membership = try log.applyAuthorization(authEvent, event: e, valid: invalidReason == nil, membership: membership, db: db)
            if invalidReason == nil,
                let why = try String.fetchOne(db, sql: "SELECT reason FROM invalid_events WHERE event_id = ?", arguments: [e.id])
            {
                invalidReason = why
            }
        }
        return invalidReason.map { .invalid(id: e.id, reason: $0) } ?? .accepted(id: e.id)
    }

    /// Inserts the envelope (and the body, when it is kept); returns the log position.
    private func insert(_ e: SignedEvent) throws -> Int64 {
        let env = e.envelope
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
        appended.append((pos, e.id))
        if let b = e.bodyBytes {
            insertBody.bind(1, pos)
            insertBody.bind(2, blob: b)
            try insertBody.run()
        }
        return pos
    }

    /// The genesis of an empty node: the node takes its dataset, and its author is the first admin.
    private func adoptDataset(_ e: SignedEvent) throws {
        dataset = e.id
        try EventLog.setMeta(db, "dataset", e.id)
        if let name = e.body?["name"]?.stringValue { try EventLog.setMeta(db, "name", name) }
        membership = MembershipState.fold(genesisAuthor: e.envelope.author, facts: [])
        try MembershipBook.writeMembers(db, membership)
    }

    /// Keeps the evidence (as the signed envelope without its body: a body could carry what a
    /// redaction removed) when `keep`, and refuses the event.
    private func fork(_ e: SignedEvent, existing: String, keep: Bool) throws -> IngestOutcome {
        let env = e.envelope
        if keep {
            try db.execute(
                sql: """
                    INSERT INTO forks(fork_id, author, seq, existing_id, envelope, sig, body, detected_at)
                    VALUES (?,?,?,?,?,?,NULL,?) ON CONFLICT(fork_id) DO NOTHING
                    """,
                arguments: [
                    e.id, env.author, env.seq, existing, Data(e.envelopeBytes), e.signature,
                    HLCTime(millis: HybridLogicalClock.wallMillis()).description,
                ])
            // The fork rule: from its lowest fork seq on, nothing the key signed counts, on
            // either branch (`ForkRule`). The read models take this transaction's events
            // first, then the events that no longer count leave them.
            if env.seq < membership.forkedAt[env.author] ?? .max {
                try projection.flush(db: db)
                membership = try log.refold(from: membership, author: env.author, db: db)
            }
        }
        return .rejected(IngestRules.forkRefusal(env, id: e.id, existing: existing, forkSeq: membership.forkedAt[env.author]))
    }

    // MARK: IngestFacts

    func bodyOwed(_ id: String) throws -> Bool {
        guard anyPending else { return false }
        return try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM pending_bodies WHERE event_id = ?"), arguments: [id]) == true
    }

    func redactionInEffect(_ id: String) throws -> Bool {
        try anyRedactions && Bool.fetchOne(isRedacted, arguments: [id]) == true
    }

    func redactionHeld(_ id: String) throws -> Bool {
        try anyRedactionEvents && Bool.fetchOne(hasRedaction, arguments: [id]) == true
    }

    func forkEvidenceKept(_ id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM forks WHERE fork_id = ?", arguments: [id]) == true
    }

    func forkEvidenceCount(_ author: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM forks WHERE author = ?", arguments: [author]) ?? 0
    }
}
