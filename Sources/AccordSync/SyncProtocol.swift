public import AccordCore
public import AccordStore
import Foundation

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
    public struct PullRequest: Codable, Sendable, Equatable {
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

        enum CodingKeys: String, CodingKey { case dataset, vector, heads, bodies, forks, after, maxEvents, maxBytes }

        /// Reads a client's request, checking every part: a request the server cannot
        /// honour as asked is refused, and the page sizes are brought within the limits.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            dataset = try c.decodeIfPresent(String.self, forKey: .dataset)
            vector = try SyncProtocol.vector(SyncProtocol.part(c, .vector, "a version vector maps ed25519: keys to seqs >= 0"))
            heads = try SyncProtocol.heads(SyncProtocol.part(c, .heads, "heads maps ed25519: keys to 64-hex event ids"))
            bodies = try SyncProtocol.ids(SyncProtocol.part(c, .bodies, "bodies is an array of at most \(maxBodiesAsked) event ids"))
            forks = try SyncProtocol.forks(
                SyncProtocol.part(c, .forks, "forks is an object of at most one seq per key of the vector"), within: vector)
            after = max(0, try c.decodeIfPresent(Int64.self, forKey: .after) ?? 0)
            maxEvents = min(max(1, try c.decodeIfPresent(Int.self, forKey: .maxEvents) ?? defaultPageEvents), maxPageEvents)
            maxBytes = min(max(4096, try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? defaultPageBytes), maxPageBytes)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(dataset, forKey: .dataset)
            try c.encode(vector.heads, forKey: .vector)
            if !heads.isEmpty { try c.encode(heads, forKey: .heads) }
            if !bodies.isEmpty { try c.encode(bodies, forKey: .bodies) }
            if !forks.isEmpty { try c.encode(forks, forKey: .forks) }
            try c.encode(after, forKey: .after)
            try c.encode(maxEvents, forKey: .maxEvents)
            try c.encode(maxBytes, forKey: .maxBytes)
        }
    }

    /// The last line of a pull page: where the next page starts (nil: done) and the
    /// server's dataset and vector (what the client then pushes against).
    public struct PageEnd: Codable, Sendable, Equatable {
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

        // On the wire the owed bodies are "owed": with the keys sorted, the end line still
        // starts with "dataset" or "end", which is how clients tell it from an event line.
        enum CodingKeys: String, CodingKey { case end, next, events, dataset, vector, heads, bodies = "owed", unshared, forks }

        /// Reads a peer's end line: `end`, `vector` and `heads` must be right, `next` a
        /// position or null; what else is unreadable reads as none (the client asks again).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard try c.decode(Bool.self, forKey: .end) else {
                throw DecodingError.dataCorruptedError(forKey: .end, in: c, debugDescription: "a page end says \"end\": true")
            }
            vector = try SyncProtocol.vector(SyncProtocol.part(c, .vector, "a version vector maps ed25519: keys to seqs >= 0"))
            heads = try SyncProtocol.heads(SyncProtocol.part(c, .heads, "heads maps ed25519: keys to 64-hex event ids"))
            next = try c.decodeIfPresent(Int64.self, forKey: .next)
            if let n = next, n <= 0 {
                throw DecodingError.dataCorruptedError(forKey: .next, in: c, debugDescription: "next is a log position above 0 or null")
            }
            events = (try? c.decodeIfPresent(Int.self, forKey: .events)) ?? 0
            dataset = try? c.decodeIfPresent(String.self, forKey: .dataset)
            bodies = (try? SyncProtocol.ids(c.decodeIfPresent([String].self, forKey: .bodies))) ?? []
            unshared = Array(((try? c.decodeIfPresent([String].self, forKey: .unshared)) ?? []).prefix(vector.heads.count))
            forks = (try? SyncProtocol.forks(c.decodeIfPresent([String: Int].self, forKey: .forks), within: vector)) ?? [:]
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(true, forKey: .end)
            if let next { try c.encode(next, forKey: .next) } else { try c.encodeNil(forKey: .next) }
            try c.encode(events, forKey: .events)
            try c.encodeIfPresent(dataset, forKey: .dataset)
            try c.encode(vector.heads, forKey: .vector)
            if !heads.isEmpty { try c.encode(heads, forKey: .heads) }
            if !bodies.isEmpty { try c.encode(bodies, forKey: .bodies) }
            if !unshared.isEmpty { try c.encode(unshared, forKey: .unshared) }
            if !forks.isEmpty { try c.encode(forks, forKey: .forks) }
        }
    }

    /// A message's part of the expected shape, nil when absent or null; `shape` says what it
    /// should be when it is something else.
    static func part<T: Decodable, Key: CodingKey>(_ c: KeyedDecodingContainer<Key>, _ key: Key, _ shape: String) throws -> T? {
        do {
            return try c.decodeIfPresent(T.self, forKey: key)
        } catch is DecodingError {
            throw DomainError(shape)
        }
    }

    /// Reads a version vector: ed25519 keys to seqs of 0 or more.
    static func vector(_ heads: [String: Int]?) throws(DomainError) -> VersionVector {
        guard let heads else { throw DomainError("vector is required: the client's version vector") }
        guard heads.allSatisfy({ $0.key.hasPrefix(AuthorKey.prefix) && $0.value >= 0 }) else {
            throw DomainError("a version vector maps ed25519: keys to seqs >= 0")
        }
        return VersionVector(heads)
    }

    /// Reads optional fork points: keys of the vector, each a seq within it.
    static func forks(_ forks: [String: Int]?, within vector: VersionVector) throws(DomainError) -> [String: Int] {
        guard let forks else { return [:] }
        guard forks.count <= vector.heads.count else { throw DomainError("forks is an object of at most one seq per key of the vector") }
        for (key, seq) in forks where seq < 1 || seq > vector[key] {
            throw DomainError("forks: each key of the vector maps to a seq from 1 to its entry")
        }
        return forks
    }

    /// Reads an optional array of at most `maxBodiesAsked` event ids.
    static func ids(_ ids: [String]?) throws(DomainError) -> [String] {
        guard let ids else { return [] }
        guard ids.count <= maxBodiesAsked, ids.allSatisfy(Hex.isSHA256) else {
            throw DomainError("bodies is an array of at most \(maxBodiesAsked) event ids")
        }
        return ids
    }

    /// Reads optional `heads`: ed25519 keys to 64-hex event ids.
    static func heads(_ heads: [String: String]?) throws(DomainError) -> [String: String] {
        guard let heads else { return [:] }
        guard heads.count <= 100_000,
            heads.allSatisfy({ $0.key.hasPrefix(AuthorKey.prefix) && Hex.isSHA256($0.value) })
        else { throw DomainError("heads maps ed25519: keys to 64-hex event ids") }
        return heads
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
