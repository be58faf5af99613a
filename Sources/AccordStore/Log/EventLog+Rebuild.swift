import AccordCore
import Foundation
import GRDB

extension EventLog {
    /// Drops every read model and replays the log into them, in one transaction.
    /// Events are decoded from their stored bytes (`accord verify` checks signatures).
    /// - Parameter progress: called after each batch with the events replayed so far and the total.
    public func rebuild(batchSize: Int = 1024, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        try pool.write { db in
            let total = try Int.fetchOne(db, sql: "SELECT coalesce(max(pos), 0) FROM events") ?? 0
            var done = 0
            for p in projectors { try p.reset(db: db) }
            for t in MembershipBook.tables { try db.execute(sql: "DELETE FROM \(t)") }
            // Pass 1: membership facts and redactions decide which events count.
            var targets: Set<String> = []
            let auth = try Row.fetchCursor(
                db, sql: StoredEvent.selectSQL + " WHERE e.type IN ('member.granted', 'member.revoked', 'event.redacted') ORDER BY e.pos")
            while let row = try auth.next() {
                let s = StoredEvent(row: row)
                guard let e = try? s.decoded(), let body = e.body,
                    let a = try? AuthorizationEvent(type: s.type, schema: e.envelope.schema, subject: s.subject, body: body)
                else { continue }
                if case .redacted(let target, _) = a {
                    targets.insert(target)
                } else {
                    try MembershipBook.recordFact(
                        db, id: s.id, author: s.author, seq: s.seq, time: s.time, body: body, type: s.type, subject: s.subject)
                }
            }
            let state = try MembershipBook.state(db)
            try MembershipBook.writeMembers(db, state)
            _ = try MembershipBook.reconcile(db, state: state, authors: nil)
            // Only valid redactions of known targets count (an invalid one's erased body is
            // owed again); each is settled afresh, so a body an earlier re-validation left
            // behind is erased now.
            for target in targets.sorted() { try settleRedaction(of: target, db: db) }
            // Pass 2: every event into the read models, marked by validity.
            let invalid = Set(try String.fetchAll(db, sql: "SELECT event_id FROM invalid_events"))
            // Streamed in batches (memory holds a few chunks of events, then one batch of
            // records): a reader connection reads the log (which a rebuild does not change),
            // every core decodes (envelope, body, curation payload), and this thread replays,
            // all three at once.
            var batch: [ProjectedEvent] = []
            func flush() throws {
                for p in projectors {
                    let read = p.ownEvents(batch)
                    if !read.isEmpty { try p.replay(read, db: db) }
                }
                progress?(done, total)
                batch.removeAll(keepingCapacity: true)
            }
            let readError = ErrorBox()
            try OrderedPipeline.run(
                maxInFlight: 8,
                produce: pool is DatabasePool
                    ? readingChunks(of: 256, error: readError)
                    // One connection (a database in memory): the log is read within this transaction.
                    : Self.emitting(
                        try Row.fetchAll(db, sql: StoredEvent.selectSQL + " ORDER BY e.pos").map(StoredEvent.init(row:)), chunk: 256),
                transform: { (chunk: [StoredEvent]) in chunk.map { s in (s, try? s.decoded(payload: true)) } },
                consume: { decoded in
                    // Every stored event counts as done, decoded or not (one that does not
                    // decode is left out of the read models, as before).
                    done += decoded.count
                    for (s, e) in decoded {
                        guard let e else { continue }
                        batch.append(ProjectedEvent(event: e, position: s.pos, valid: !invalid.contains(s.id)))
                    }
                    if batch.count >= batchSize { try flush() }
                })
            if let e = readError.error { throw e }
            try flush()
            for p in projectors { try p.finishReplay(db: db) }
        }
        // An erased body's old pages still sit in the WAL.
        try scrubIfRedacted()
    }
}

extension EventLog {
    /// A pipeline producer that hands out `events` in chunks.
    static func emitting(_ events: [StoredEvent], chunk: Int) -> @Sendable (_ emit: ([StoredEvent]) -> Bool) -> Void {
        { emit in
            var k = 0
            while k < events.count {
                guard emit(Array(events[k..<min(events.count, k + chunk)])) else { return }
                k += chunk
            }
        }
    }
}
