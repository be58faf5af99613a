import AccordCore
import AccordStore
import Foundation

/// The catalog of golden vectors: fixed keys, fixed clock, so regenerating gives the same files.
enum TestVectors {
    struct Vector {
        let name: String
        let description: String
        let key: AuthorKey
        let context: [[UInt8]]
        let event: [UInt8]
        let canonical: [UInt8]
        let id: String
        let reason: EventRejection.Code?

        var json: JSONValue {
            var o: [String: JSONValue] = [
                "description": .string(description),
                "publicKey": .string(key.text),
                "event": try! JSONParser.parse(event),
                "canonicalHex": .string(Hex.encode(canonical)),
                "id": .string(id),
                "valid": .bool(reason == nil),
            ]
            if let reason { o["reason"] = .string(reason.rawValue) }
            if !context.isEmpty { o["context"] = .array(context.map { try! JSONParser.parse($0) }) }
            return .object(o)
        }
    }

    static let alice = SigningKey.fixed("accord-vector-alice")
    static let mallory = SigningKey.fixed("accord-vector-mallory")
    static let t0: Int64 = 1_795_700_000_000

    static func make(
        _ draft: EventDraft, dataset: String?, key: SigningKey = alice, seq: Int, prev: String?, at ms: Int64
    )
        -> UnsignedEvent
    {
        UnsignedEvent(draft: draft, dataset: dataset, author: key.author, seq: seq, prev: prev, time: HLCTime(millis: t0 + ms))
    }

    static func line(_ u: UnsignedEvent, key: SigningKey = alice) -> [UInt8] { u.signed(by: key).wireLine }

    static func all() -> [Vector] {
        var out: [Vector] = []
        let genesis = make(.genesis(name: "UN resolutions highlighting INTERPOL's role"), dataset: nil, seq: 1, prev: nil, at: 0)
        let ds = genesis.id
        func vec(
            _ name: String, _ d: String, _ u: UnsignedEvent, context: [[UInt8]], line: [UInt8]? = nil, id: String? = nil,
            reason: EventRejection.Code? = nil, key: AuthorKey = alice.author
        ) {
            out.append(
                Vector(
                    name: name, description: d, key: key, context: context, event: line ?? TestVectors.line(u),
                    canonical: u.canonicalEnvelope, id: id ?? u.id, reason: reason))
        }
        vec(
            "valid-01-genesis", "Genesis event of a dataset: no envelope.dataset, seq 1, no prev. Its id is the dataset id.", genesis,
            context: [])
        let titles = [
            "Cooperation between the United Nations and the International Criminal Police Organization (INTERPOL)",
            "Cooperation between the United Nations and INTERPOL (review 2018)",
            "Cooperation between the United Nations and INTERPOL (review 2020)",
        ]
        var chain: [UnsignedEvent] = []
        var context = [line(genesis)]
        var prev = genesis.id
        for (k, title) in titles.enumerated() {
            let u = make(
                EventDraft(
                    type: "field.set", subject: "A/RES/71/19",
                    body: ["field": "title", "value": .string(title), "base": .array(chain.last.map { [.string($0.id)] } ?? [])]),
                dataset: ds, seq: k + 2, prev: prev, at: Int64(k + 1) * 1000)
            vec(
                "valid-0\(k + 2)-chain-\(k + 1)",
                "Chain of three, event \(k + 1): seq \(k + 2) names the id of seq \(k + 1) as prev. Context holds the events before it.", u,
                context: context)
            context.append(line(u))
            prev = u.id
            chain.append(u)
        }
        let unicode = make(
            EventDraft(
                type: "field.set", subject: "S/RES/2482 (2019)",
                body: [
                    "field": "notes", "base": [],
                    "value": "Résolution — 安全理事会 «INTERPOL» \u{1F310} tab\there \"quoted\" \\ \u{2028} \u{7F} \u{1}",
                ]),
            dataset: ds, seq: 2, prev: genesis.id, at: 5000)
        vec(
            "valid-05-unicode-body",
            "Body with non-ASCII text, an astral-plane character, quotes, backslash, U+2028, DEL and a control character: the body hash is over its RFC 8785 bytes (UTF-8, only \" \\ and controls escaped).",
            unicode, context: [line(genesis)])
        let big = make(
            EventDraft(
                type: "bench.note", subject: "S/RES/2178 (2014)",
                body: [
                    "maxSafe": .number(9_007_199_254_740_991), "big": .number(1e21), "small": .number(1e-7), "fraction": .number(0.1),
                    "negative": .number(-1234567890123),
                ]),
            dataset: ds, seq: 2, prev: genesis.id, at: 6000)
        vec(
            "valid-06-large-integer",
            "Body with large integers and extreme numbers: 2^53-1 stays exact, 1e21 is written 1e+21, 1e-7 as 1e-7 (ECMAScript number form).",
            big, context: [line(genesis)])
        let redacted = chain[0].signed(by: alice)
        vec(
            "valid-07-body-absent",
            "The first chain event without its body (as after a redaction): the envelope and signature still verify.", chain[0],
            context: [line(genesis)],
            line: WireFormat.line(envelope: redacted.envelopeBytes, signature: redacted.signature, body: nil))
        let salted = make(
            EventDraft(
                type: "field.set", subject: "A/RES/75/10",
                body: [
                    "field": "notes", "base": [], "value": "Adopted without a vote at the 31st plenary meeting",
                    "salt": .string(Base64URL.encode((0..<16).map { UInt8($0 * 17) })),
                ]),
            dataset: ds, seq: 2, prev: genesis.id, at: 7000)
        vec(
            "valid-08-salted-body",
            "A curation body with a salt (body.salt: 16 random bytes, base64url), as every node writes them: bodyHash covers the salt, so once a redaction erases the body nobody can confirm a guess of it by hashing candidates. Events without a salt stay valid.",
            salted, context: [line(genesis)])

        // Invalid vectors.
        let good = chain[0].signed(by: alice)
        var sig = [UInt8](Base64URL.decode(good.signature)!)
        sig[10] ^= 0x01
        vec(
            "invalid-01-bad-signature", "One bit of the signature flipped.", chain[0], context: [line(genesis)],
            line: WireFormat.line(envelope: good.envelopeBytes, signature: Base64URL.encode(sig), body: good.bodyBytes),
            reason: .badSignature)
        vec(
            "invalid-02-id-mismatch",
            "The vector claims an id that is not the SHA-256 of the canonical envelope (a peer naming an event by a wrong id).", chain[0],
            context: [line(genesis)],
            id: String(chain[0].id.reversed()), reason: .idMismatch)
        let otherBody = JSONValue.object(["field": "title", "value": "A different title", "base": []]).canonicalBytes
        vec(
            "invalid-03-body-hash-mismatch",
            "A known event whose body was changed after signing: the body no longer hashes to envelope.bodyHash.", chain[0],
            context: [line(genesis)],
            line: WireFormat.line(envelope: good.envelopeBytes, signature: good.signature, body: otherBody), reason: .bodyHashMismatch)
        vec(
            "invalid-04-seq-gap", "Seq 4 arrives while the node holds seq 1-2 of this author: seq 3 is missing.", chain[2],
            context: [line(genesis), line(chain[0])], reason: .seqGap)
        let wrongPrev = make(
            EventDraft(type: "field.set", subject: "A/RES/71/19", body: ["field": "title", "value": "x", "base": []]),
            dataset: ds, seq: 3, prev: String(repeating: "0", count: 64), at: 9000)
        vec(
            "invalid-05-wrong-prev", "Seq 3 names a prev that is not the id of the author's seq 2.", wrongPrev,
            context: [line(genesis), line(chain[0])], reason: .wrongPrev)
        let wrongDataset = make(
            EventDraft(type: "field.set", subject: "A/RES/71/19", body: ["field": "title", "value": "x", "base": []]),
            dataset: String(repeating: "d", count: 64), seq: 2, prev: genesis.id, at: 9000)
        vec(
            "invalid-06-wrong-dataset", "envelope.dataset names another dataset than the node's (the genesis in context).", wrongDataset,
            context: [line(genesis)], reason: .wrongDataset)
        var badAuthorEnv = chain[0].envelope
        badAuthorEnv.author = "ed25519:not-a-key"
        let badAuthorCanon = badAuthorEnv.canonicalBytes
        out.append(
            Vector(
                name: "invalid-07-author-key-malformed", description: "envelope.author is not base64url of 32 bytes.", key: alice.author,
                context: [line(genesis)],
                event: WireFormat.line(
                    envelope: badAuthorCanon, signature: Base64URL.encode(alice.sign(badAuthorCanon)), body: chain[0].bodyBytes),
                canonical: badAuthorCanon, id: ContentHash.sha256Hex(badAuthorCanon), reason: .malformedAuthor))
        // Signed over a re-serialised, non-canonical form (members in another order, spaces).
        let env = chain[0].envelope
        let nonCanonical = Array(
            """
            {"v": 1, "type": "\(env.type)", "time": "\(env.time)", "subject": "\(env.subject!)", "seq": \(env.seq), "schema": 1, "prev": "\(env.prev!)", "dataset": "\(env.dataset!)", "bodyHash": "\(env.bodyHash)", "author": "\(env.author)"}
            """.utf8)
        out.append(
            Vector(
                name: "invalid-08-non-canonical-signed",
                description:
                    "The author signed a re-serialised, non-canonical form of the envelope (other member order, spaces) instead of its RFC 8785 bytes: the signature does not verify over the canonical bytes (canonicalHex), which are what a verifier computes.",
                key: alice.author, context: [line(genesis)],
                event: WireFormat.line(
                    envelope: nonCanonical, signature: Base64URL.encode(alice.sign(nonCanonical)), body: chain[0].bodyBytes),
                canonical: chain[0].canonicalEnvelope, id: chain[0].id, reason: .badSignature))
        let stranger = make(
            EventDraft(type: "field.set", subject: "A/RES/71/19", body: ["field": "title", "value": "x", "base": []]),
            dataset: ds, key: alice, seq: 2, prev: genesis.id, at: 9000)
        let signedByMallory = SignedEvent(
            id: stranger.id, envelope: stranger.envelope, envelopeBytes: stranger.canonicalEnvelope,
            signature: Base64URL.encode(mallory.sign(stranger.canonicalEnvelope)), body: stranger.body, bodyBytes: stranger.bodyBytes)
        vec(
            "invalid-09-signed-by-other-key", "The envelope names alice as author but mallory signed it.", stranger,
            context: [line(genesis)],
            line: signedByMallory.wireLine, reason: .badSignature)
        return out
    }
}
