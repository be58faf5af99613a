import Foundation

/// An event whose id, body hash and signature have been checked against its bytes.
/// It carries its canonical bytes (RFC 8785; what the id and the signature cover), which
/// is what the log stores, whatever spelling it arrived in.
public struct SignedEvent: Sendable {
    public let id: String
    public let envelope: Envelope
    /// The envelope's canonical bytes (RFC 8785), as signed.
    public let envelopeBytes: [UInt8]
    /// base64url of the 64-byte Ed25519 signature.
    public let signature: String
    public let body: JSONValue?
    /// The body's canonical bytes (what `bodyHash` covers); nil when redacted.
    public let bodyBytes: [UInt8]?
    /// The body as a curation event, once a check stage has decoded it (on a worker
    /// thread), so that the single-threaded projection does not decode it again. Nil for
    /// other events, redacted ones, and events no stage decoded yet.
    public package(set) var domain: DomainEvent?

    public init(
        id: String, envelope: Envelope, envelopeBytes: [UInt8], signature: String, body: JSONValue?,
        bodyBytes: [UInt8]?
    ) {
        self.id = id
        self.envelope = envelope
        self.envelopeBytes = envelopeBytes
        self.signature = signature
        self.body = body
        self.bodyBytes = bodyBytes
    }

    /// The wire form: one JSON object `{"body":...,"envelope":...,"sig":"..."}` on one line.
    public var wireLine: [UInt8] { WireFormat.line(envelope: envelopeBytes, signature: signature, body: bodyBytes) }
}
