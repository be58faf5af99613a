import Foundation
import Testing

@testable import AccordCore

@Suite struct EnvelopeTests {
    let key = SigningKey.fixed("envelope-tests")

    func unsigned(seq: Int = 2, subject: String? = "A/RES/71/19") -> UnsignedEvent {
        UnsignedEvent(
            draft: EventDraft(type: "field.set", subject: subject, body: ["field": "title", "value": "Ünïcode \"title\""]),
            dataset: String(repeating: "a", count: 64), author: key.author, seq: seq,
            prev: seq > 1 ? String(repeating: "b", count: 64) : nil,
            time: HLCTime(millis: 1_795_700_000_123, counter: 7))
    }

    @Test func fastCanonicalFormEqualsTheGenericOne() {
        for u in [unsigned(), unsigned(seq: 1), unsigned(subject: nil)] {
            #expect(u.envelope.canonicalBytes == u.envelope.json.canonicalBytes)
        }
    }

    @Test func signedEventRoundTripsThroughTheWire() throws {
        let e = unsigned().signed(by: key)
        let back = try WireFormat.verify(line: e.wireLine).get()
        #expect(back.id == e.id)
        #expect(back.id == ContentHash.sha256Hex(e.envelope.canonicalBytes))
        #expect(back.envelope == e.envelope)
    }

    @Test func whitespaceInTheWireLineDoesNotChangeTheId() throws {
        let e = unsigned().signed(by: key)
        let spaced =
            "{ \"sig\" : \"\(e.signature)\" ,\n \"envelope\" : \(e.envelope.json.canonicalString.replacingOccurrences(of: ",", with: ", ")), \"body\": \(e.body!.canonicalString) }"
        let back = try WireFormat.verify(line: Array(spaced.utf8)).get()
        #expect(back.id == e.id)
    }

    /// The size limits hold for the canonical form, which is what a node keeps and sends on:
    /// a body spelled `1e20` (4 bytes, 21 canonical) cannot bring in an event that other nodes
    /// would refuse as too large when this node sends it.
    @Test func theLimitsHoldForTheCanonicalForm() throws {
        let u = UnsignedEvent(
            draft: EventDraft(type: "bench.note", subject: nil, body: ["a": .array(Array(repeating: .number(1e20), count: 100))]),
            dataset: String(repeating: "a", count: 64), author: key.author, seq: 2, prev: String(repeating: "b", count: 64),
            time: HLCTime(millis: 1_795_700_000_123))
        let e = u.signed(by: key)
        let compact = "{\"a\":[" + Array(repeating: "1e20", count: 100).joined(separator: ",") + "]}"
        let line = WireFormat.line(envelope: e.envelopeBytes, signature: e.signature, body: Array(compact.utf8))
        #expect(line.count < 1_500 && e.wireLine.count > 2_500)
        guard case .failure(let r) = WireFormat.verify(line: line, limits: EventLimits(maxEventBytes: 2_500)) else {
            Issue.record("taken")
            return
        }
        #expect(r.code == .tooLarge && r.message.contains("canonical"))
        // At exactly the canonical line's length it is taken, and kept canonical.
        let kept = try WireFormat.verify(line: line, limits: EventLimits(maxEventBytes: e.wireLine.count)).get()
        #expect(kept.wireLine == e.wireLine)
    }

    /// A peer's own spelling of the same event (numbers as `2.0` and `1e0`, members in
    /// another order, spaces) verifies, and what the event keeps, and so what a node stores,
    /// exports and sends on, is the canonical bytes: an outside verifier that hashes the bytes
    /// it is given gets the id.
    @Test func anEventKeepsItsCanonicalBytesWhateverTheSpelling() throws {
        let e = unsigned().signed(by: key)
        let envelope = e.envelope.json.canonicalString
            .replacingOccurrences(of: "\"seq\":2", with: "\"seq\" : 2.0").replacingOccurrences(of: "\"v\":1", with: "\"v\":1e0")
        let body = "{\"value\": \"\u{00DC}n\u{00EF}code \\\"title\\\"\", \"field\": \"title\"}"
        let respelled = "{\"sig\":\"\(e.signature)\",\"envelope\":\(envelope),\"body\":\(body)}"
        #expect(envelope.contains("2.0") && envelope.contains("1e0"))
        let back = try WireFormat.verify(line: Array(respelled.utf8)).get()
        #expect(back.id == e.id)
        #expect(back.envelopeBytes == e.envelope.canonicalBytes)
        #expect(back.bodyBytes == e.body!.canonicalBytes)
        #expect(back.wireLine == e.wireLine)
        #expect(ContentHash.sha256Hex(back.envelopeBytes) == e.id)
    }

    @Test func unknownMembersAndMissingParts() {
        let e = unsigned().signed(by: key)
        let extra = "{\"body\":1,\"envelope\":\(e.envelope.json.canonicalString),\"sig\":\"\(e.signature)\",\"id\":\"x\"}"
        #expect(reason(extra) == .badShape)
        #expect(reason("{\"sig\":\"x\"}") == .badShape)
        #expect(reason("[1]") == .malformedJSON)
    }

    @Test func tooLargeIsRefusedBeforeParsing() {
        let big = [UInt8](repeating: 0x20, count: EventLimits.standard.maxEventBytes + 1)
        #expect(reason(big) == .tooLarge)
    }

    @Test func envelopeRules() {
        var env = unsigned().envelope.json.objectValue!
        env["v"] = 2
        #expect(throws: EventRejection.self) { try Envelope(json: .object(env)) }
        env = unsigned(seq: 1).envelope.json.objectValue!
        env["prev"] = .string(String(repeating: "c", count: 64))
        #expect(throws: EventRejection.self) { try Envelope(json: .object(env)) }
        env = unsigned().envelope.json.objectValue!
        env["time"] = "2026-11-26T12:00:00Z"
        #expect { try Envelope(json: .object(env)) } throws: { ($0 as? EventRejection)?.code == .badTime }
        env = unsigned().envelope.json.objectValue!
        env["author"] = "ed25519:AAAA"
        #expect { try Envelope(json: .object(env)) } throws: { ($0 as? EventRejection)?.code == .malformedAuthor }
    }

    func reason(_ s: String) -> EventRejection.Code? { reason(Array(s.utf8)) }
    func reason(_ b: [UInt8]) -> EventRejection.Code? {
        if case .failure(let r) = WireFormat.verify(line: b) { return r.code }
        return nil
    }

    @Test func hybridLogicalClock() {
        var c = HybridLogicalClock()
        let a = c.tick(wallMillis: 1000)
        let b = c.tick(wallMillis: 1000)
        let d = c.tick(wallMillis: 900)
        #expect(a < b && b < d)
        #expect(d.millis == 1000 && d.counter == 2)
        c.observe(HLCTime(millis: 5000, counter: 3), wallMillis: 1000)
        #expect(c.tick(wallMillis: 1000) == HLCTime(millis: 5000, counter: 4))
        // A received time beyond wall time plus the drift bound does not move the clock.
        c.observe(HLCTime("9999-12-31T23:59:59.999Z#99999")!, wallMillis: 1000)
        #expect(c.tick(wallMillis: 1000) == HLCTime(millis: 5000, counter: 5))
        let t = HLCTime(millis: 1_795_700_000_123, counter: 42)
        #expect(t.description == "2026-11-26T13:33:20.123Z#00042")
        #expect(HLCTime(t.description) == t)
        #expect(HLCTime("2026-11-26")?.description == "2026-11-26T00:00:00.000Z#00000")
        #expect(HLCTime("2026-13-01") == nil)
    }

    @Test func base64urlIsStrict() {
        let bytes: [UInt8] = [0, 1, 2, 250, 251, 252, 253, 254, 255]
        for n in 0...bytes.count {
            let s = Base64URL.encode(bytes.prefix(n))
            #expect(!s.contains("=") && !s.contains("+") && !s.contains("/"))
            #expect(Base64URL.decode(s).map { [UInt8]($0) } == Array(bytes.prefix(n)))
        }
        #expect(Base64URL.decode("AA==") == nil)
        #expect(Base64URL.decode("AB") == nil)  // stray low bits: not the canonical encoding
        #expect(Base64URL.decode("A+") == nil)
    }

    @Test func libsodiumAndSwiftCryptoAgree() {
        for k in 0..<50 {
            let key = SigningKey.fixed("agree-\(k)")
            let message = Array("message \(k) ".utf8) + [UInt8](repeating: UInt8(k), count: k)
            var sig = [UInt8](key.sign(message))
            #expect(key.author.verify(signature: Data(sig), over: message))
            #expect(key.author.verifyWithSwiftCrypto(signature: Data(sig), over: message))
            sig[k % 64] ^= 0x20
            #expect(!key.author.verify(signature: Data(sig), over: message))
            #expect(!key.author.verifyWithSwiftCrypto(signature: Data(sig), over: message))
            #expect(!key.author.verify(signature: Data(sig.prefix(63)), over: message))
        }
    }

    @Test func keyFilesRoundTripAndRefuseGarbage() throws {
        let k = SigningKey.generate()
        let back = try SigningKey(fileContents: k.fileContents)
        #expect(back.author == k.author)
        #expect(throws: KeyFileError.self) { try SigningKey(fileContents: "hello") }
    }

    @Test func theClockCounterNeverWraps() {
        // 250,000 ticks in one wall-clock millisecond stay strictly increasing, in value and in text.
        var c = HybridLogicalClock()
        var previous = c.tick(wallMillis: 1_795_700_000_000)
        var previousText = previous.description
        for _ in 0..<250_000 {
            let t = c.tick(wallMillis: 1_795_700_000_000)
            let text = t.description
            if !(previous < t && previousText < text) {
                Issue.record("\(previousText) then \(text)")
                return
            }
            previous = t
            previousText = text
        }
        #expect(previous.millis == 1_795_700_000_002)
    }

    @Test func timesBefore1970AreRefused() {
        #expect(HLCTime("1969-12-31T23:59:59.001Z") == nil)
        #expect(HLCTime("1970-01-01T00:00:00.000Z") != nil)
    }
}
