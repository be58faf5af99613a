public import Foundation

/// An auditor's bundle (Docs/transparency.md, "The auditor's bundle"): one NDJSON file that
/// proves, offline, what a node's log held at one signed checkpoint.
///
/// Line 1 is the header, canonical JSON: `{"accord-audit":1,"checkpoint":NOTE,"dataset":ID,
/// "events":N,"exported":TIME,"vkey":VKEY,"witnesses":[VKEY...]}` (the checkpoint as served,
/// with its cosignatures; the log's and the witnesses' C2SP verifier keys). Then the first
/// `N` events of the log, in log order, one per line, each the canonical JSON of
/// `{"body":B,"envelope":E,"sig":S}`, or `{"envelope":E,"redacted":R,"sig":S}` for a body
/// erased by the redaction with id `R`. The membership history is in the events themselves.
public enum AuditBundle {
    public static let format = 1

    public struct Header: Sendable, Equatable {
        public var checkpoint: SignedNote
        public var dataset: String
        public var events: Int
        public var exported: String
        public var vkey: String
        public var witnesses: [String]

        public init(checkpoint: SignedNote, dataset: String, events: Int, exported: String, vkey: String, witnesses: [String]) {
            self.checkpoint = checkpoint
            self.dataset = dataset
            self.events = events
            self.exported = exported
            self.vkey = vkey
            self.witnesses = witnesses
        }

        public var line: [UInt8] {
            let json: JSONValue = .object([
                "accord-audit": .int(AuditBundle.format),
                "checkpoint": .string(String(decoding: checkpoint.bytes, as: UTF8.self)),
                "dataset": .string(dataset), "events": .int(events), "exported": .string(exported), "vkey": .string(vkey),
                "witnesses": .array(witnesses.map(JSONValue.string)),
            ])
            return json.canonicalBytes + [0x0A]
        }
    }

    /// One event's line (ending in a newline) from its stored canonical parts.
    public static func eventLine(envelope: [UInt8], signature: String, body: [UInt8]?, redactedBy: String?) -> [UInt8] {
        var out: [UInt8]
        if body == nil, let redactedBy {
            out = Array("{\"envelope\":".utf8) + envelope + Array(",\"redacted\":\"\(redactedBy)\",\"sig\":\"\(signature)\"}".utf8)
        } else {
            out = WireFormat.line(envelope: envelope, signature: signature, body: body)
        }
        out.append(0x0A)
        return out
    }
}
