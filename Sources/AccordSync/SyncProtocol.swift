public import AccordCore
public import AccordStore

/// The sync protocol v1's constants and messages (Docs/protocol.md, section 5).
public enum SyncProtocol {
    public static let infoPath = "/sync/v1/info"
    public static let pullPath = "/sync/v1/pull"
    public static let pushPath = "/sync/v1/push"
    /// The header a client sends with the dataset it holds.
    public static let datasetHeader = "Accord-Dataset"
    public static let defaultPageEvents = 5_000
    public static let maxPageEvents = 20_000
    public static let defaultPageBytes = 8 << 20
    public static let maxPageBytes = 32 << 20
    /// The most pending bodies one pull asks for.
    public static let maxBodiesAsked = 1_000
    /// The largest push body a node accepts.
    public static let maxPushBytes = 64 << 20

    /// A pull request: the client's vector and where its page starts.
    public struct PullRequest: Sendable, Equatable {
        public var dataset: String?
        public var vector: VersionVector
        /// Author -> id of the client's head event (optional): lets the server send the
        /// events that show a fork the vector alone cannot (same seq, different event).
        public var heads: [String: String]
        /// Ids of events whose body the client still waits for (at most `maxBodiesAsked`):
        /// the server sends those it holds with their body on the first page.
        public var bodies: [String] = []
        /// Author -> the lowest seq at which the client knows the key forked (`ForkRule`):
        /// the server sends what moves the client's fork point to its own.
        public var forks: [String: Int] = [:]
        public var after: Int64
        public var maxEvents: Int
        public var maxBytes: Int

        public init(
            dataset: String?, vector: VersionVector, heads: [String: String] = [:], after: Int64 = 0, maxEvents: Int = defaultPageEvents,
            maxBytes: Int = defaultPageBytes
        ) {
            self.dataset = dataset
            self.vector = vector
            self.heads = heads
            self.after = after
            self.maxEvents = maxEvents
            self.maxBytes = maxBytes
        }

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "vector": vector.json, "after": .number(Double(after)), "maxEvents": .int(maxEvents), "maxBytes": .int(maxBytes),
            ]
            if let dataset { o["dataset"] = .string(dataset) }
            if !heads.isEmpty { o["heads"] = SyncProtocol.headsJSON(heads) }
            if !bodies.isEmpty { o["bodies"] = .array(bodies.map { .string($0) }) }
            if !forks.isEmpty { o["forks"] = SyncProtocol.forksJSON(forks) }
            return .object(o)
        }

        public init(json: JSONValue) throws(DomainError) {
            guard case .object(let o) = json, let v = o["vector"] else { throw DomainError("a pull request is {\"vector\": {...}, ...}") }
            dataset = o["dataset"]?.stringValue
            vector = try VersionVector(json: v)
            heads = try SyncProtocol.heads(o["heads"])
            bodies = try SyncProtocol.ids(o["bodies"])
            forks = try SyncProtocol.forks(o["forks"], within: vector)
            after = Int64(o["after"]?.intValue ?? 0)
            maxEvents = min(max(1, o["maxEvents"]?.intValue ?? defaultPageEvents), maxPageEvents)
            maxBytes = min(max(4096, o["maxBytes"]?.intValue ?? defaultPageBytes), maxPageBytes)
        }
    }

    /// The last line of a pull page: where the next page starts (nil: done) and the
    /// server's dataset and vector (what the client then pushes against).
    public struct PageEnd: Sendable, Equatable {
        public var next: Int64?
        public var events: Int
        public var dataset: String?
        public var vector: VersionVector
        /// Author -> id of the server's head event, for the client's fork check before it pushes.
        public var heads: [String: String]
        /// Events the server holds without their body (at most `maxBodiesAsked`): the client
        /// pushes those it holds with their body.
        public var bodies: [String] = []
        /// Authors whose chain on the server is another branch than the client's at the
        /// client's head (a key that signed two events with one seq): their events were left
        /// out of the pages, and the vectors cannot meet for them.
        public var unshared: [String] = []
        /// Author -> the lowest seq at which the server knows the key forked (`ForkRule`).
        public var forks: [String: Int] = [:]

        public init(next: Int64?, events: Int, dataset: String?, vector: VersionVector, heads: [String: String] = [:]) {
            self.next = next
            self.events = events
            self.dataset = dataset
            self.vector = vector
            self.heads = heads
        }

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "end": true, "next": next.map { .number(Double($0)) } ?? .null, "events": .int(events), "vector": vector.json,
            ]
            if let dataset { o["dataset"] = .string(dataset) }
            if !heads.isEmpty { o["heads"] = SyncProtocol.headsJSON(heads) }
            // "owed" sorts after "dataset" and "end": the end line still starts with one of those,
            // which is how clients tell it from an event line.
            if !bodies.isEmpty { o["owed"] = .array(bodies.map { .string($0) }) }
            if !unshared.isEmpty { o["unshared"] = .array(unshared.map { .string($0) }) }
            if !forks.isEmpty { o["forks"] = SyncProtocol.forksJSON(forks) }
            return .object(o)
        }

        public init?(json: JSONValue) {
            guard json["end"] == true, let v = json["vector"], let vector = try? VersionVector(json: v),
                let heads = try? SyncProtocol.heads(json["heads"])
            else { return nil }
            // `next` is a position or null; anything else is not a page end.
            if let n = json["next"], !n.isNull {
                guard let v = n.intValue, v > 0 else { return nil }
                self.next = Int64(v)
            } else {
                self.next = nil
            }
            self.events = json["events"]?.intValue ?? 0
            self.dataset = json["dataset"]?.stringValue
            self.vector = vector
            self.heads = heads
            self.bodies = (try? SyncProtocol.ids(json["owed"])) ?? []
            self.unshared = Array((json["unshared"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(vector.heads.count))
            self.forks = (try? SyncProtocol.forks(json["forks"], within: vector)) ?? [:]
        }
    }

    static func forksJSON(_ forks: [String: Int]) -> JSONValue {
        .object(forks.mapValues { .int($0) })
    }

    /// Reads an optional object of fork points: keys of the vector, each a seq within it.
    static func forks(_ json: JSONValue?, within vector: VersionVector) throws(DomainError) -> [String: Int] {
        guard let json, !json.isNull else { return [:] }
        guard case .object(let o) = json, o.count <= vector.heads.count else {
            throw DomainError("forks is an object of at most one seq per key of the vector")
        }
        var out: [String: Int] = [:]
        for (key, value) in o {
            guard let seq = value.intValue, seq >= 1, seq <= vector[key] else {
                throw DomainError("forks: each key of the vector maps to a seq from 1 to its entry")
            }
            out[key] = seq
        }
        return out
    }

    /// Reads an optional array of at most `maxBodiesAsked` event ids.
    static func ids(_ json: JSONValue?) throws(DomainError) -> [String] {
        guard let json, !json.isNull else { return [] }
        let ids = json.arrayValue?.compactMap(\.stringValue) ?? []
        guard ids.count == json.arrayValue?.count, ids.count <= maxBodiesAsked, ids.allSatisfy(Hex.isSHA256) else {
            throw DomainError("bodies is an array of at most \(maxBodiesAsked) event ids")
        }
        return ids
    }

    static func headsJSON(_ heads: [String: String]) -> JSONValue { .object(heads.mapValues { .string($0) }) }

    /// Reads an optional `heads` object: ed25519 keys to 64-hex event ids.
    static func heads(_ json: JSONValue?) throws(DomainError) -> [String: String] {
        guard let json, !json.isNull else { return [:] }
        guard case .object(let o) = json, o.count <= 100_000 else { throw DomainError("heads maps ed25519: keys to event ids") }
        var out: [String: String] = [:]
        for (k, v) in o {
            guard k.hasPrefix(AuthorKey.prefix), let id = v.stringValue, id.count == 64,
                id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else { throw DomainError("heads maps ed25519: keys to 64-hex event ids") }
            out[k] = id
        }
        return out
    }
}

extension SyncProtocol {
    /// The answer to a push: counts, refusals by reason, the first rejections with their
    /// line and reason, and the node's version vector after the push. Only `accepted` is
    /// required of a peer's answer; what it leaves out reads as none.
    public struct PushResult: Codable, Sendable, Equatable {
        public var accepted: Int
        public var invalid = 0
        public var duplicate = 0
        public var rejected = 0
        public var rejectedByCode: [String: Int] = [:]
        public var rejections: [NDJSONImport.Rejection] = []
        /// Events stored as evidence without effect (e.g. signed beyond a revocation), with why.
        public var invalidEvents: [NDJSONImport.Rejection] = []
        public var vector: [String: Int] = [:]

        public init(_ r: StreamingIngest.Result, vector: VersionVector) {
            accepted = r.summary.accepted
            invalid = r.summary.invalid
            duplicate = r.summary.duplicate
            rejected = r.summary.rejected
            rejectedByCode = r.rejectedByCode
            rejections = r.rejections
            invalidEvents = r.invalid
            self.vector = vector.heads
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            accepted = try c.decode(Int.self, forKey: .accepted)
            invalid = try c.decodeIfPresent(Int.self, forKey: .invalid) ?? 0
            duplicate = try c.decodeIfPresent(Int.self, forKey: .duplicate) ?? 0
            rejected = try c.decodeIfPresent(Int.self, forKey: .rejected) ?? 0
            rejectedByCode = try c.decodeIfPresent([String: Int].self, forKey: .rejectedByCode) ?? [:]
            rejections = try c.decodeIfPresent([NDJSONImport.Rejection].self, forKey: .rejections) ?? []
            invalidEvents = try c.decodeIfPresent([NDJSONImport.Rejection].self, forKey: .invalidEvents) ?? []
            vector = try c.decodeIfPresent([String: Int].self, forKey: .vector) ?? [:]
        }
    }
}
