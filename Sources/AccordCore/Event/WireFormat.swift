import Foundation

/// The event wire format, v1 (Docs/protocol.md).
public enum WireFormat {
    public static func line(envelope: [UInt8], signature: String, body: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(envelope.count + (body?.count ?? 0) + 120)
        if let body {
            out.append(contentsOf: Array("{\"body\":".utf8))
            out.append(contentsOf: body)
            out.append(contentsOf: Array(",\"envelope\":".utf8))
        } else {
            out.append(contentsOf: Array("{\"envelope\":".utf8))
        }
        out.append(contentsOf: envelope)
        out.append(contentsOf: Array(",\"sig\":\"".utf8))
        out.append(contentsOf: signature.utf8)
        out.append(contentsOf: Array("\"}".utf8))
        return out
    }

    /// Decodes one wire object and checks everything that needs no other event:
    /// size, shape, author key, body hash, id (when one is claimed) and signature.
    /// - Parameter admit: called with the decoded envelope before any hash or signature is
    ///   computed; a rejection it returns ends the check there (a stranger's events cost a
    ///   parse, not a signature check).
    public static func verify(
        line: [UInt8], limits: EventLimits = .standard, claimedID: String? = nil,
        admit: ((Envelope) -> EventRejection?)? = nil
    ) -> Result<SignedEvent, EventRejection> {
        guard line.count <= limits.maxEventBytes else {
            return .failure(EventRejection(.tooLarge, "event is \(line.count) bytes; the limit is \(limits.maxEventBytes)"))
        }
        let members: [JSONParser.Member]
        do {
            members = try JSONParser.parseTopLevelMembers(line)
        } catch {
            return .failure(EventRejection(.malformedJSON, error.description))
        }
        var envelopeRange: Range<Int>?
        var envelopeJSON: JSONValue?
        var signature: String?
        var body: JSONValue?
        for m in members {
            switch m.key {
            case "envelope":
                envelopeJSON = m.value
                envelopeRange = m.range
            case "sig":
                guard case .string(let s) = m.value else {
                    return .failure(EventRejection(.badShape, "sig must be a string"))
                }
                signature = s
            case "body": body = m.value
            default:
                return .failure(EventRejection(.badShape, "unknown member \"\(m.key.prefix(40))\" (an event has envelope, sig and body)"))
            }
        }
        guard let envelopeJSON, let envelopeRange else { return .failure(EventRejection(.badShape, "envelope is missing")) }
        guard let signature else { return .failure(EventRejection(.badShape, "sig is missing")) }
        guard envelopeRange.count <= limits.maxEnvelopeBytes else {
            return .failure(EventRejection(.tooLarge, "envelope is \(envelopeRange.count) bytes; the limit is \(limits.maxEnvelopeBytes)"))
        }
        return verify(envelopeJSON: envelopeJSON, signature: signature, body: body, claimedID: claimedID, limits: limits, admit: admit)
    }

    /// Verifies stored parts (the log's own bytes) the same way.
    public static func verifyStored(
        envelopeBytes: [UInt8], signature: String, bodyBytes: [UInt8]?, storedID: String
    ) -> Result<SignedEvent, EventRejection> {
        let json: JSONValue
        do {
            json = try JSONParser.parse(envelopeBytes)
        } catch {
            return .failure(EventRejection(.malformedJSON, "stored envelope: " + error.description))
        }
        var body: JSONValue?
        if let bodyBytes {
            do {
                body = try JSONParser.parse(bodyBytes)
            } catch {
                return .failure(EventRejection(.malformedJSON, "stored body: " + error.description))
            }
        }
        return verify(envelopeJSON: json, signature: signature, body: body, claimedID: storedID)
    }

    static func verify(
        envelopeJSON: JSONValue, signature: String, body: JSONValue?, claimedID: String?, limits: EventLimits? = nil,
        admit: ((Envelope) -> EventRejection?)? = nil
    ) -> Result<SignedEvent, EventRejection> {
        do throws(EventRejection) {
            let envelope = try Envelope(json: envelopeJSON)
            if let admit, let refused = admit(envelope) { throw refused }
            let author = try AuthorKey(parsing: envelope.author)
            // The event keeps its canonical bytes, not the bytes as sent: what the signature and
            // the hash cover is what a node stores, exports and sends on, so a peer's own
            // spelling (`"seq":1.0`, members in another order) never travels further.
            var canonicalBody: [UInt8]?
            if let value = body {
                let bytes = value.canonicalBytes
                canonicalBody = bytes
                let hash = ContentHash.sha256Hex(bytes)
                guard hash == envelope.bodyHash else {
                    throw EventRejection(
                        .bodyHashMismatch, "body hashes to \(hash.prefix(12))..., envelope.bodyHash says \(envelope.bodyHash.prefix(12))..."
                    )
                }
            }
            let canonical = envelope.canonicalBytes
            // The limits hold for what is kept: a spelling shorter than its canonical form
            // (`1e20`) must not bring in an event that other nodes refuse as too large.
            if let limits {
                // The length of `line(envelope:signature:body:)`: what this node will send.
                let size = canonical.count + signature.utf8.count + (canonicalBody.map { $0.count + 30 } ?? 22)
                guard canonical.count <= limits.maxEnvelopeBytes, size <= limits.maxEventBytes else {
                    throw EventRejection(
                        .tooLarge,
                        "the event is \(size) bytes in canonical form (envelope \(canonical.count)); the limits are \(limits.maxEventBytes) and \(limits.maxEnvelopeBytes)"
                    )
                }
            }
            let id = ContentHash.sha256Hex(canonical)
            if let claimedID, claimedID != id {
                throw EventRejection(.idMismatch, "event id is \(id), not the claimed \(claimedID)")
            }
            guard let sig = Base64URL.decode(signature), sig.count == 64 else {
                throw EventRejection(.badSignature, "sig is not base64url of 64 bytes")
            }
            guard author.verify(signature: sig, over: canonical) else {
                throw EventRejection(.badSignature, "signature does not verify for author \(envelope.author) over the canonical envelope")
            }
            return .success(
                SignedEvent(
                    id: id, envelope: envelope, envelopeBytes: canonical, signature: signature, body: body,
                    bodyBytes: canonicalBody))
        } catch {
            return .failure(error)
        }
    }
}
