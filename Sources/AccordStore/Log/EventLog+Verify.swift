import AccordCore
import Foundation
import GRDB

/// The result of re-checking every stored event from its stored bytes.
public struct VerificationReport: Sendable, Codable {
    public struct Problem: Sendable, Codable, Equatable {
        public let position: Int64?
        public let id: String?
        public let message: String
    }

    public var events = 0
    public var authors = 0
    public var bodies = 0
    public var redactedBodies = 0
    /// Events whose body has not arrived yet (received without one, no redaction known):
    /// held out of the read models until a peer sends the body or a redaction arrives.
    public var pendingBodies = 0
    public var problems: [Problem] = []

    public init() {}

    public var isClean: Bool { problems.isEmpty }
}

extension EventLog {
    /// A pipeline producer that reads the whole log in order, `limit` events at a time, on a
    /// reader connection, until the pipeline stops taking chunks; a read error is kept in `error`.
    func readingChunks(of limit: Int, error: ErrorBox) -> @Sendable (_ emit: ([StoredEvent]) -> Bool) -> Void {
        { [self] emit in
            var after: Int64 = 0
            do {
                while true {
                    let chunk = try readChunk(after: after, limit: limit)
                    if chunk.isEmpty { return }
                    guard emit(chunk) else { return }
                    after = chunk.last!.pos
                }
            } catch let e {
                error.error = e
            }
        }
    }

    /// Re-reads every stored event and checks ids, body hashes, signatures (on every
    /// core), the stored columns against the signed envelope, chains and the dataset.
    /// - Parameter progress: called after each chunk with the events checked so far and the total.
    public func verify(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> VerificationReport {
        let total = try eventCount()
        var walk = LogWalk(
            dataset: try datasetID(),
            redacted: Set(try pool.read { db in try String.fetchAll(db, sql: "SELECT subject FROM events WHERE type = 'event.redacted'") }),
            pending: Set(try pendingBodyIDs()))
        // Reading, checking signatures (every core) and the sequential chain checks overlap.
        let readError = ErrorBox()
        // Reading outruns checking: keep at most 16 chunks (8,192 events) in flight.
        try OrderedPipeline.run(
            maxInFlight: 16,
            produce: readingChunks(of: 512, error: readError),
            transform: { (chunk: [StoredEvent]) in
                (
                    chunk,
                    chunk.map { s in
                        WireFormat.verifyStored(
                            envelopeBytes: s.envelopeBytes, signature: s.signature, bodyBytes: s.bodyBytes, storedID: s.id)
                    }
                )
            },
            consume: { (chunk, checked) in
                for (s, c) in zip(chunk, checked) { walk.take(s, c) }
                progress?(walk.report.events, total)
            })
        if let e = readError.error { throw e }
        walk.report.authors = walk.heads.count
        return walk.report
    }
}

/// The sequential checks of `verify`, event by event in log order: bodies, the stored
/// columns against the signed envelope, the dataset, and every author's chain.
struct LogWalk {
    let dataset: String?
    /// Targets of the redactions in the log.
    let redacted: Set<String>
    /// Events whose body this node waits for.
    let pending: Set<String>
    var heads: [String: ChainHead] = [:]
    var first = true
    var report = VerificationReport()

    mutating func take(_ s: StoredEvent, _ checked: Result<SignedEvent, EventRejection>) {
        report.events += 1
        if s.bodyBytes != nil {
            report.bodies += 1
        } else if pending.contains(s.id) {
            report.pendingBodies += 1
        } else {
            report.redactedBodies += 1
        }
        let e: SignedEvent
        switch checked {
        case .success(let ok): e = ok
        case .failure(let r):
            problem(s, r.description)
            // The event is present though invalid: its successor is not a gap.
            if s.seq == (heads[s.author]?.seq ?? 0) + 1 { heads[s.author] = ChainHead(seq: s.seq, id: s.id) }
            first = false
            return
        }
        let env = e.envelope
        if s.bodyBytes == nil && !redacted.contains(s.id) && !pending.contains(s.id) {
            problem(s, "body missing, and no redaction of it is in the log")
        }
        if env.author != s.author || env.seq != s.seq || env.type != s.type || env.subject != s.subject || env.timeText != s.time {
            problem(s, "stored columns (author, seq, type, subject, time) differ from the signed envelope")
        }
        checkDataset(s, e)
        checkChain(s, env)
    }

    private mutating func checkDataset(_ s: StoredEvent, _ e: SignedEvent) {
        let env = e.envelope
        if first {
            if !env.isGenesis { problem(s, "the first event of the log is not a genesis event") }
            if let dataset, env.isGenesis, e.id != dataset {
                problem(s, "the genesis id differs from the node's dataset \(dataset)")
            }
            first = false
        } else if env.isGenesis {
            problem(s, "a second genesis event")
        } else if env.dataset != dataset {
            problem(s, "event of dataset \(env.dataset ?? "-"), node holds \(dataset ?? "-")")
        }
    }

    private mutating func checkChain(_ s: StoredEvent, _ env: Envelope) {
        let head = heads[env.author]
        let expected = (head?.seq ?? 0) + 1
        if env.seq > expected {
            problem(
                s,
                "gap in the chain of \(env.author): seq \(expected)\(env.seq - 1 > expected ? "...\(env.seq - 1)" : "") missing before seq \(env.seq)"
            )
        } else if env.seq < expected {
            problem(s, "seq \(env.seq) of \(env.author) is out of order (after seq \(expected - 1))")
        }
        if let head, env.seq == head.seq + 1, env.prev != head.id {
            problem(s, "prev does not match the id of seq \(head.seq) by \(env.author)")
        }
        if env.seq >= expected { heads[env.author] = ChainHead(seq: env.seq, id: s.id) }
    }

    private mutating func problem(_ s: StoredEvent, _ m: String) {
        report.problems.append(.init(position: s.pos, id: s.id, message: m))
    }
}
