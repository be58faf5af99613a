public import AccordCore
import Foundation
import GRDB

/// One stored event as the log holds it.
public struct StoredEvent: Sendable {
    public let pos: Int64
    public let id: String
    public let author: String
    public let seq: Int
    public let type: String
    public let subject: String?
    public let time: String
    public let envelopeBytes: [UInt8]
    public let signature: String
    public let bodyBytes: [UInt8]?

    public var wireLine: [UInt8] { WireFormat.line(envelope: envelopeBytes, signature: signature, body: bodyBytes) }

    static let selectSQL = """
        SELECT e.pos, e.id, e.author, e.seq, e.type, e.subject, e.time, e.envelope, e.sig, b.body
        FROM events e LEFT JOIN bodies b ON b.pos = e.pos
        """

    init(row: Row) {
        pos = row[0]
        id = row[1]
        author = row[2]
        seq = row[3]
        type = row[4]
        subject = row[5]
        time = row[6]
        envelopeBytes = (try? row.withUnsafeData(atIndex: 7) { $0.map { [UInt8]($0) } }) ?? []
        signature = row[8]
        bodyBytes = try? row.withUnsafeData(atIndex: 9) { $0.map { [UInt8]($0) } }
    }

    /// Fork evidence as a line to pass on: the second signed envelope for a seq, without a
    /// body (`pos` 0; it is no stored event). A node that holds the other event at that seq
    /// takes it as evidence of the fork, so the fork point travels with exports and syncs.
    static let evidenceSQL = "SELECT fork_id, author, seq, envelope, sig FROM forks"

    init(evidence row: Row) {
        pos = 0
        id = row[0]
        author = row[1]
        seq = row[2]
        envelopeBytes = (try? row.withUnsafeData(atIndex: 3) { $0.map { [UInt8]($0) } }) ?? []
        signature = row[4]
        bodyBytes = nil
        let envelope = try? JSONParser.parse(envelopeBytes)
        type = envelope?["type"]?.stringValue ?? ""
        subject = envelope?["subject"]?.stringValue
        time = envelope?["time"]?.stringValue ?? ""
    }
}

extension StoredEvent {
    /// The stored event decoded without re-checking its signature.
    /// - Parameter payload: also decode a curation event's body (`SignedEvent.domain`).
    public func decoded(payload: Bool = false) throws -> SignedEvent {
        let env = try Envelope(json: try JSONParser.parse(envelopeBytes))
        let body = try bodyBytes.map { try JSONParser.parse($0) }
        var e = SignedEvent(id: id, envelope: env, envelopeBytes: envelopeBytes, signature: signature, body: body, bodyBytes: bodyBytes)
        if payload, DomainEvent.isDomainType(env.type), let body {
            e.domain = try? DomainEvent(type: env.type, schema: env.schema, subject: env.subject, body: body)
        }
        return e
    }
}
