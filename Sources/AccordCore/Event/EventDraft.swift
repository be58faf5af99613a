/// What an author wants to say, before it becomes a signed event.
public struct EventDraft: Sendable, Hashable {
    public var type: String
    public var schema: Int
    public var subject: String?
    public var body: JSONValue

    public init(type: String, schema: Int = 1, subject: String? = nil, body: JSONValue) {
        self.type = type
        self.schema = schema
        self.subject = subject
        self.body = body
    }

    /// The genesis draft of a new dataset.
    public static func genesis(name: String) -> EventDraft {
        EventDraft(type: Envelope.genesisType, body: ["name": .string(name)])
    }
}

/// A draft placed in its author's chain: the envelope is final, the signature not yet made.
/// Signing is separate so that a batch can be signed in parallel (ids do not depend on signatures).
public struct UnsignedEvent: Sendable {
    public let id: String
    public let envelope: Envelope
    public let canonicalEnvelope: [UInt8]
    public let body: JSONValue
    public let bodyBytes: [UInt8]

    public init(draft: EventDraft, dataset: String?, author: AuthorKey, seq: Int, prev: String?, time: HLCTime) {
        let bodyBytes = draft.body.canonicalBytes
        self.init(
            draft: draft, bodyBytes: bodyBytes, bodyHash: ContentHash.sha256Hex(bodyBytes), dataset: dataset,
            author: author, seq: seq, prev: prev, time: time)
    }

    /// With the body's canonical bytes and hash already computed (they can be made in parallel).
    public init(
        draft: EventDraft, bodyBytes: [UInt8], bodyHash: String, dataset: String?, author: AuthorKey, seq: Int,
        prev: String?, time: HLCTime
    ) {
        let envelope = Envelope(
            dataset: dataset, author: author.text, seq: seq, prev: prev, time: time, type: draft.type,
            schema: draft.schema, subject: draft.subject, bodyHash: bodyHash)
        let canonical = envelope.canonicalBytes
        self.id = ContentHash.sha256Hex(canonical)
        self.envelope = envelope
        self.canonicalEnvelope = canonical
        self.body = draft.body
        self.bodyBytes = bodyBytes
    }

    public func signed(by key: SigningKey) -> SignedEvent {
        precondition(key.author.text == envelope.author, "signing key must be the envelope's author")
        return SignedEvent(
            id: id, envelope: envelope, envelopeBytes: canonicalEnvelope,
            signature: Base64URL.encode(key.sign(canonicalEnvelope)), body: body, bodyBytes: bodyBytes)
    }
}
