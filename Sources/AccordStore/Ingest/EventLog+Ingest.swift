import AccordCore
import Foundation
import GRDB

/// Errors of the store that are not about one event.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension EventLog {
    /// The ingest pipeline for received events (imports, sync): size limits, decode,
    /// id, body hash and signature checks on every core, then, in one transaction,
    /// dataset and chain checks, append and projection. Each line gets an outcome;
    /// a rejected line changes nothing and does not stop the others.
    public func ingest(lines: [[UInt8]], limits: EventLimits = .standard) throws -> [IngestOutcome] {
        let checked = Parallel.map(lines, minChunk: 32) { line in
            WireFormat.verify(line: line, limits: limits).flatMap(validatePayload)
        }
        return try pool.write { db in try appendChecked(checked, db: db) }
    }

    /// Local authoring: places drafts in the key's chain, signs them on every core and
    /// hands them to the same append stage. Signatures made here are not re-verified
    /// (this node just made them); everything else is checked as for received events.
    public func author(_ drafts: [EventDraft], key: SigningKey, wallMillis: Int64 = HybridLogicalClock.wallMillis()) throws
        -> [IngestOutcome]
    {
        try pool.write { db in
            var dataset = try Self.meta(db, "dataset")
            let head = try Self.head(db, author: key.author.text)
            let lastTime = try String.fetchOne(db.cachedStatement(sql: "SELECT max(time) FROM events")).flatMap(HLCTime.init)
            var clock = HybridLogicalClock(last: lastTime ?? HLCTime(millis: 0))
            var seq = head?.seq ?? 0
            var prev = head?.id
            var unsigned: [UnsignedEvent] = []
            unsigned.reserveCapacity(drafts.count)
            for d in drafts {
                let isGenesis = d.type == Envelope.genesisType
                if !isGenesis && dataset == nil {
                    throw StoreError("this node has no dataset: run `accord init` or import a log first")
                }
                let u = UnsignedEvent(
                    draft: d, dataset: isGenesis ? nil : dataset, author: key.author, seq: seq + 1, prev: prev,
                    time: clock.tick(wallMillis: wallMillis))
                if isGenesis && dataset == nil { dataset = u.id }
                seq += 1
                prev = u.id
                unsigned.append(u)
            }
            let signed = Parallel.map(unsigned, minChunk: 16) { u in
                Result<SignedEvent, EventRejection>.success(u.signed(by: key)).flatMap(validatePayload)
            }
            return try appendChecked(signed, db: db)
        }
    }

    func validatePayload(_ e: SignedEvent) -> Result<SignedEvent, EventRejection> {
        do throws(EventRejection) {
            for p in projectors { try p.validate(e) }
            return .success(e)
        } catch {
            return .failure(error)
        }
    }

    static func head(_ db: Database, author: String) throws -> ChainHead? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, id FROM events WHERE author = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [author]
        ).map { ChainHead(seq: $0[0], id: $0[1]) }
    }

    /// The append stage: runs inside the caller's write transaction.
    func appendChecked(_ checked: [Result<SignedEvent, EventRejection>], db: Database) throws -> [IngestOutcome] {
        var dataset = try Self.meta(db, "dataset")
        var heads: [String: ChainHead?] = [:]
        var outcomes = [IngestOutcome?](repeating: nil, count: checked.count)
        var pending: [Int] = []
        for (i, c) in checked.enumerated() {
            switch c {
            case .success: pending.append(i)
            case .failure(let r): outcomes[i] = .rejected(r)
            }
        }
        let exists = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE id = ?")
        let idAt = try db.cachedStatement(sql: "SELECT id FROM events WHERE author = ? AND seq = ?")
        let insertEvent = try db.cachedStatement(
            sql: "INSERT INTO events(id, author, seq, prev, type, subject, time, envelope, sig) VALUES (?,?,?,?,?,?,?,?,?)")
        let insertBody = try db.cachedStatement(sql: "INSERT INTO bodies(event_id, body) VALUES (?, ?)")
        // Events that arrive ahead of their predecessor in the same batch get another pass.
        while !pending.isEmpty {
            var retry: [Int] = []
            var progressed = false
            for i in pending {
                guard case .success(let e) = checked[i] else { continue }
                if try Bool.fetchOne(exists, arguments: [e.id]) == true {
                    outcomes[i] = .duplicate(id: e.id)
                    continue
                }
                let env = e.envelope
                let head: ChainHead?
                if let cached = heads[env.author] {
                    head = cached
                } else {
                    head = try Self.head(db, author: env.author)
                    heads[env.author] = head
                }
                let held = env.seq <= (head?.seq ?? 0) ? try String.fetchOne(idAt, arguments: [env.author, env.seq]) : nil
                switch ChainRules.decide(id: e.id, envelope: env, dataset: dataset, head: head, idAtSeq: held) {
                case .append(let adopts):
                    try insertEvent.execute(arguments: [
                        e.id, env.author, env.seq, env.prev, env.type, env.subject, env.time.description,
                        Data(e.envelopeBytes), e.signature,
                    ])
                    let pos = db.lastInsertedRowID
                    if let b = e.bodyBytes { try insertBody.execute(arguments: [e.id, Data(b)]) }
                    if adopts {
                        dataset = e.id
                        try Self.setMeta(db, "dataset", e.id)
                        if let name = e.body?["name"]?.stringValue { try Self.setMeta(db, "name", name) }
                    }
                    heads[env.author] = ChainHead(seq: env.seq, id: e.id)
                    for p in projectors { try p.apply(e, position: pos, db: db) }
                    outcomes[i] = .accepted(id: e.id)
                    progressed = true
                case .fork(let existing):
                    try db.execute(
                        sql: """
                            INSERT INTO forks(fork_id, author, seq, existing_id, envelope, sig, body, detected_at)
                            VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(fork_id) DO NOTHING
                            """,
                        arguments: [
                            e.id, env.author, env.seq, existing, Data(e.envelopeBytes), e.signature,
                            e.bodyBytes.map { Data($0) }, HLCTime(millis: HybridLogicalClock.wallMillis()).description,
                        ])
                    outcomes[i] = .rejected(
                        EventRejection(
                            .equivocation,
                            "\(env.author) signed two events with seq \(env.seq): \(existing.prefix(12))... is kept, \(e.id.prefix(12))... is recorded as a fork"
                        ))
                case .reject(let r):
                    outcomes[i] = .rejected(r)
                    if r.code == .seqGap && env.seq > (head?.seq ?? 0) + 1 { retry.append(i) }
                }
            }
            if !progressed { break }
            pending = retry
        }
        return outcomes.map { $0! }
    }
}
