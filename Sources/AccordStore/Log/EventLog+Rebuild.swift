import AccordCore
import Foundation
import GRDB

extension EventLog {
    /// Drops every read model and replays the log into them, in one transaction.
    /// Events are decoded from their stored bytes (`accord verify` checks signatures).
    public func rebuild() throws {
        try pool.write { db in
            for p in projectors { try p.reset(db: db) }
            let rows = try Row.fetchCursor(db, sql: StoredEvent.selectSQL + " ORDER BY e.pos")
            var batch: [StoredEvent] = []
            func flush() throws {
                for s in batch {
                    guard let e = try? s.decoded() else { continue }
                    for p in projectors { try p.apply(e, position: s.pos, db: db) }
                }
                batch.removeAll(keepingCapacity: true)
            }
            while let row = try rows.next() {
                batch.append(StoredEvent(row: row))
                if batch.count == 1024 { try flush() }
            }
            try flush()
        }
    }
}

extension StoredEvent {
    /// The stored event decoded without re-checking its signature.
    public func decoded() throws -> SignedEvent {
        let env = try Envelope(json: try JSONParser.parse(envelopeBytes))
        let body = try bodyBytes.map { try JSONParser.parse($0) }
        return SignedEvent(id: id, envelope: env, envelopeBytes: envelopeBytes, signature: signature, body: body, bodyBytes: bodyBytes)
    }
}
