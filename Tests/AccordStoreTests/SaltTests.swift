import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

/// A redacted body cannot be recovered by guessing: every curation body a node writes
/// carries a random salt that `bodyHash` covers (docs/protocol.md, "salt").
@Suite struct SaltTests {
    static func body(_ e: StoredEvent) throws -> [String: JSONValue] {
        let bytes = try #require(e.bodyBytes)
        return try #require(try JSONParser.parse(bytes).objectValue)
    }

    @Test func anErasedShortTextCannotBeConfirmedFromItsHash() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir, projectors: [CurationProjector()])
        let c = Curation(log: log)
        let s = try ResolutionSymbol(parsing: "A/RES/71/19")
        _ = try c.add(s.description, fields: [.title: "Cooperation"], key: Fixtures.alice)
        let id = try #require(try c.set(s, .notes, "call +41 22 917 12 34", key: Fixtures.alice))
        let event = try #require(try log.event(id: id))
        let members = try Self.body(event)
        let salt = try #require(members["salt"]?.stringValue)
        #expect(salt.utf8.count == 22 && BodySalt.isWellFormed(salt))
        // The guess an attacker would hash: the same body without the salt it cannot know.
        let envelope = try #require(try JSONParser.parse(event.envelopeBytes).objectValue)
        let bodyHash = try #require(envelope["bodyHash"]?.stringValue)
        var guess = members
        guess["salt"] = nil
        #expect(ContentHash.sha256Hex(JSONValue.object(guess).canonicalBytes) != bodyHash)
        #expect(ContentHash.sha256Hex(JSONValue.object(members).canonicalBytes) == bodyHash)
        // Two edits with the same text get different salts.
        let again = try #require(try c.set(s, .notes, "call +41 22 917 12 35", key: Fixtures.alice))
        let other = try #require(try log.event(id: again))
        #expect(try Self.body(other)["salt"] != members["salt"])
        // Genesis and membership events carry none.
        var unsalted: [StoredEvent] = []
        try log.forEachChunk { chunk in unsalted += chunk.filter { !DomainEvent.isDomainType($0.type) } }
        #expect(!unsalted.isEmpty)
        for e in unsalted { #expect(try Self.body(e)["salt"] == nil, "\(e.type)") }
    }

    @Test func aBodyWithoutASaltStaysValidAndABadSaltIsRefused() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir, projectors: [CurationProjector()])
        let dataset = try #require(try log.datasetID())
        let head = try #require(try log.chainHead(author: Fixtures.alice.author.text))
        let unsalted = EventDraft(
            type: "field.set", subject: "A/RES/73/11", body: ["field": "notes", "value": "written before salts", "base": []])
        var chain = ChainSigner(key: Fixtures.alice, dataset: dataset, seq: head.seq, prev: head.id, last: HLCTime(head.time))
        #expect(try log.ingest(lines: [chain.sign(unsalted).wireLine]).allSatisfy(\.isAccepted))
        for bad in [JSONValue.string("short"), .int(7), .string(String(repeating: "a", count: 65)), .string("not base64url!!!!!!")] {
            var draft = unsalted
            draft.body = ["field": "notes", "value": "x", "base": [], "salt": bad]
            var probe = chain
            let out = try log.ingest(lines: [probe.sign(draft).wireLine])
            guard case .rejected(let r) = out.first else {
                Issue.record("salt \(bad) was not refused: \(out)")
                continue
            }
            #expect(r.code == .invalidPayload && r.message.contains("salt"), "\(r)")
        }
    }
}
