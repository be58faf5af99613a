/// The signed part of an event. Its canonical (RFC 8785) bytes are what the
/// author signs and what the event id hashes.
public struct Envelope: Sendable, Hashable {
    public static let version = 1
    public static let genesisType = "dataset.created"

    public var dataset: String?
    public var author: String
    public var seq: Int
    public var prev: String?
    public var time: HLCTime { didSet { timeText = time.description } }
    /// The text form of `time`, computed once.
    public private(set) var timeText: String
    public var type: String
    public var schema: Int
    public var subject: String?
    public var bodyHash: String
    /// Members this version does not know; kept because the signature covers them.
    public var extra: [String: JSONValue]

    public init(
        dataset: String?, author: String, seq: Int, prev: String?, time: HLCTime, type: String, schema: Int,
        subject: String?, bodyHash: String, extra: [String: JSONValue] = [:]
    ) {
        self.dataset = dataset
        self.author = author
        self.seq = seq
        self.prev = prev
        self.time = time
        self.timeText = time.description
        self.type = type
        self.schema = schema
        self.subject = subject
        self.bodyHash = bodyHash
        self.extra = extra
    }

    public var isGenesis: Bool { type == Envelope.genesisType }

    static let knownKeys: Set<String> = [
        "v", "dataset", "author", "seq", "prev", "time", "type", "schema", "subject", "bodyHash",
    ]

    /// Decodes and checks the shape of an envelope (not its signature or chain).
    public init(json: JSONValue) throws(EventRejection) {
        guard case .object(let m) = json else { throw EventRejection(.badShape, "envelope must be a JSON object") }
        func string(_ k: String, required: Bool) throws(EventRejection) -> String? {
            guard let v = m[k] else {
                if required { throw EventRejection(.badShape, "envelope.\(k) is missing") }
                return nil
            }
            guard case .string(let s) = v else { throw EventRejection(.badShape, "envelope.\(k) must be a string") }
            return s
        }
        func int(_ k: String) throws(EventRejection) -> Int {
            guard let v = m[k] else { throw EventRejection(.badShape, "envelope.\(k) is missing") }
            guard let i = v.intValue else { throw EventRejection(.badShape, "envelope.\(k) must be an integer") }
            return i
        }
        let v = try int("v")
        guard v == Envelope.version else {
            throw EventRejection(.badShape, "envelope.v is \(v); this node understands version \(Envelope.version)")
        }
        let author = try string("author", required: true)!
        _ = try AuthorKey(parsing: author)
        let seq = try int("seq")
        guard seq >= 1 else { throw EventRejection(.badShape, "envelope.seq must be 1 or more, got \(seq)") }
        let prev = try string("prev", required: false)
        if seq == 1, prev != nil { throw EventRejection(.badShape, "envelope.prev must be absent when seq is 1") }
        if seq > 1 {
            guard let p = prev else { throw EventRejection(.badShape, "envelope.prev is missing (seq \(seq) > 1)") }
            guard Hex.isSHA256(p) else { throw EventRejection(.badShape, "envelope.prev must be 64 lowercase hex digits") }
        }
        let timeText = try string("time", required: true)!
        guard let time = HLCTime(timeText), time.description == timeText else {
            throw EventRejection(.badTime, "envelope.time \"\(timeText.prefix(40))\" is not of the form 2026-01-31T12:00:00.000Z#00000")
        }
        let type = try string("type", required: true)!
        guard !type.isEmpty, type.utf8.count <= 64,
            type.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x2D })
        else { throw EventRejection(.badShape, "envelope.type \"\(type.prefix(64))\" must be lowercase letters, '.' and '-'") }
        let schema = try int("schema")
        guard schema >= 1 else { throw EventRejection(.badShape, "envelope.schema must be 1 or more") }
        let dataset = try string("dataset", required: false)
        if type == Envelope.genesisType {
            guard dataset == nil else { throw EventRejection(.badShape, "a genesis event has no envelope.dataset") }
            guard seq == 1 else { throw EventRejection(.badShape, "a genesis event has seq 1") }
        } else {
            guard let d = dataset else { throw EventRejection(.badShape, "envelope.dataset is missing") }
            guard Hex.isSHA256(d) else { throw EventRejection(.badShape, "envelope.dataset must be 64 lowercase hex digits") }
        }
        let subject = try string("subject", required: false)
        let bodyHash = try string("bodyHash", required: true)!
        guard Hex.isSHA256(bodyHash) else { throw EventRejection(.badShape, "envelope.bodyHash must be 64 lowercase hex digits") }
        self.init(
            dataset: dataset, author: author, seq: seq, prev: prev, time: time, type: type, schema: schema,
            subject: subject, bodyHash: bodyHash, extra: m.filter { !Envelope.knownKeys.contains($0.key) })
    }

    /// The envelope as a JSON object.
    public var json: JSONValue {
        var m = extra
        m["v"] = .int(Envelope.version)
        if let dataset { m["dataset"] = .string(dataset) }
        m["author"] = .string(author)
        m["seq"] = .int(seq)
        if let prev { m["prev"] = .string(prev) }
        m["time"] = .string(timeText)
        m["type"] = .string(type)
        m["schema"] = .int(schema)
        if let subject { m["subject"] = .string(subject) }
        m["bodyHash"] = .string(bodyHash)
        return .object(m)
    }

    /// RFC 8785 bytes. Known members are written in their (fixed) sorted order
    /// without building a dictionary; a test pins this against the generic writer.
    public var canonicalBytes: [UInt8] {
        if !extra.isEmpty { return json.canonicalBytes }
        var out: [UInt8] = []
        out.reserveCapacity(320)
        func key(_ k: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        }
        func str(_ s: String) { JSONValue.writeCanonicalString(s, into: &out) }
        key("{\"author\":"); str(author)
        key(",\"bodyHash\":"); str(bodyHash)
        if let dataset { key(",\"dataset\":"); str(dataset) }
        if let prev { key(",\"prev\":"); str(prev) }
        key(",\"schema\":"); out.append(contentsOf: String(schema).utf8)
        key(",\"seq\":"); out.append(contentsOf: String(seq).utf8)
        if let subject { key(",\"subject\":"); str(subject) }
        key(",\"time\":"); str(timeText)
        key(",\"type\":"); str(type)
        key(",\"v\":1}")
        return out
    }
}
