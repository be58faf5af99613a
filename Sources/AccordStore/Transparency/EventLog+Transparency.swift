public import AccordCore
public import Foundation
import GRDB

/// This node's transparency log as others see it: its tree head, proofs, entries and the
/// checkpoints it signs (c2sp.org/tlog-checkpoint, as signed notes).
extension EventLog {
    /// The tree's size (the number of events this node holds) and root.
    public func treeHead() throws -> (size: Int, root: Merkle.Hash) {
        try pool.read { db in
            let size = try TransparencyLog.size(db)
            return (size, try TransparencyLog.root(db, size: size))
        }
    }

    /// The root of the tree when it had `size` leaves.
    public func treeRoot(size: Int) throws -> Merkle.Hash {
        try pool.read { db in
            guard size >= 0, size <= (try TransparencyLog.size(db)) else { throw TransparencyError("this log never had \(size) leaves") }
            return try TransparencyLog.root(db, size: size)
        }
    }

    /// Where event `id` is in the tree of `size` leaves (the current tree when nil), and the proof.
    public func inclusionProof(id: String, size: Int? = nil) throws -> (index: Int, size: Int, proof: [Merkle.Hash]) {
        try pool.read { db in
            let current = try TransparencyLog.size(db)
            let size = size ?? current
            guard size <= current else { throw TransparencyError("this log has \(current) leaves, not \(size)") }
            guard let index = try TransparencyLog.index(db, id: id) else { throw EventNotFound(id: id) }
            guard index < size else { throw TransparencyError("event \(id.prefix(16)) came after leaf \(size)") }
            return (index, size, try Merkle.inclusionProof(index: index, size: size, stored: try TransparencyLog.reader(db)))
        }
    }

    /// The proof that the tree of `from` leaves is a prefix of the tree of `to`.
    public func consistencyProof(from: Int, to: Int) throws -> [Merkle.Hash] {
        try pool.read { db in
            let current = try TransparencyLog.size(db)
            guard from >= 1, from <= to, to <= current else {
                throw TransparencyError("a consistency proof is from 1 ... to ≤ \(current) leaves, not \(from) to \(to)")
            }
            return try Merkle.consistencyProof(from: from, to: to, stored: try TransparencyLog.reader(db))
        }
    }

    /// The ids of the events at log indexes lo ..< hi.
    public func leafIDs(from lo: Int, to hi: Int) throws -> [String] {
        try pool.read { db in try TransparencyLog.ids(db, from: lo, to: hi) }
    }

    /// This log's epoch: 1, then one more with each `accord restore`.
    public func logEpoch() throws -> Int { try pool.read { db in Int(try Self.meta(db, "log_epoch") ?? "1") ?? 1 } }

    /// The origin of this node's log: the dataset, the node's key and the epoch, as a C2SP key
    /// name (`accord/<dataset>/<node>/e<epoch>`).
    public func logOrigin(node: AuthorKey) throws -> String {
        let (dataset, epoch) = try pool.read { db in (try Self.meta(db, "dataset"), try Self.meta(db, "log_epoch") ?? "1") }
        return "accord/\((dataset ?? "no-dataset").prefix(16))/\(Hex.encode(node.raw.prefix(8)))/e\(epoch)"
    }

    /// When this node signed its latest checkpoint (ISO 8601), nil before the first.
    public func latestCheckpointTime() throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT signed_at FROM tlog_checkpoints ORDER BY id DESC LIMIT 1") }
    }

    /// The latest checkpoint this node signed.
    public func latestCheckpoint() throws -> SignedNote? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM tlog_checkpoints ORDER BY id DESC LIMIT 1").map {
                try SignedNote(parsing: Array($0))
            }
        }
    }

    /// Signs a checkpoint of the tree as it is, unless the latest one already covers it (and
    /// was signed less than `interval` ago when the tree grew): witnesses co-sign the same
    /// checkpoint, not one per event. Returns the latest checkpoint.
    /// With witnesses, the next checkpoint waits for the last one's cosignatures: `quorum` of
    /// the `witnesses` (names), or `maxWait` seconds, so what is served is co-signed and a gone
    /// witness does not freeze the log.
    public struct CosignatureWait: Sendable {
        public var witnesses: Set<String>
        public var quorum: Int
        public var maxWait: TimeInterval

        public init(witnesses: Set<String>, quorum: Int, maxWait: TimeInterval = 300) {
            self.witnesses = witnesses
            self.quorum = quorum
            self.maxWait = maxWait
        }
    }

    @discardableResult
    public func signCheckpoint(
        with key: SigningKey, interval: TimeInterval = 1, awaiting: CosignatureWait? = nil, now: Date = Date()
    ) throws -> SignedNote {
        let origin = try logOrigin(node: key.author)
        let signer = try NoteSigner(name: origin, key: key)
        return try pool.write { db in
            let size = try TransparencyLog.size(db)
            if let row = try Row.fetchOne(db, sql: "SELECT size, origin, note, signed_at FROM tlog_checkpoints ORDER BY id DESC LIMIT 1") {
                let (lastSize, lastOrigin, note, at): (Int, String, Data, String) = (row[0], row[1], row[2], row[3])
                let age = now.timeIntervalSince(ISO8601DateFormatter().date(from: at) ?? .distantPast)
                if lastOrigin == origin && (lastSize == size || age < interval) { return try SignedNote(parsing: Array(note)) }
                if lastOrigin == origin, let awaiting, age < awaiting.maxWait {
                    let cosigned = try Self.cosignatures(db, origin: lastOrigin, size: lastSize).filter {
                        awaiting.witnesses.contains($0.name)
                    }
                    if cosigned.count < awaiting.quorum { return try SignedNote(parsing: Array(note)) }
                }
            }
            let checkpoint = Checkpoint(origin: origin, size: size, root: try TransparencyLog.root(db, size: size))
            let note = SignedNote.sign(text: checkpoint.text, with: [signer])
            try db.execute(
                sql: "INSERT INTO tlog_checkpoints(size, origin, note, signed_at, signer) VALUES (?, ?, ?, ?, ?)",
                arguments: [size, origin, Data(note.bytes), ISO8601DateFormatter().string(from: now), key.author.text])
            return note
        }
    }

    /// What `accord log verify` found: the lines it prints, and the problems (none: it holds).
    public struct TransparencyReport: Sendable {
        public var lines: [String] = []
        public var problems: [String] = []
    }

    /// Recomputes the tree from the events in log order and checks it against the stored
    /// leaves and subtrees, and every checkpoint this node signed: its signature by the key
    /// it names, and its root at its size.
    public func verifyTransparencyLog() throws -> TransparencyReport {
        try pool.read { db in
            var report = TransparencyReport()
            let stored = try TransparencyLog.reader(db)
            // The subtrees a tree grown from these events stores; each left sibling is read once.
            var pending: [Int: [Int: Merkle.Hash]] = [:]
            var (leaves, hashes) = (0, 0)
            let rows = try Row.fetchCursor(db, sql: "SELECT pos, id FROM events ORDER BY pos")
            while let row = try rows.next() {
                let (pos, id): (Int, String) = (row[0], row[1])
                if pos != leaves + 1, report.problems.count < 10 {
                    report.problems.append("event \(id.prefix(16)) is at \(pos), not \(leaves + 1)")
                }
                let expected = Merkle.storedHashes(appending: Merkle.leafHash(Hex.decode(id) ?? []), at: leaves) { level, index in
                    pending[level]?.removeValue(forKey: index) ?? []
                }
                for h in expected {
                    pending[h.level, default: [:]][h.index] = h.hash
                    guard h.level >= TransparencyLog.minStoredLevel else { continue }
                    hashes += 1
                    if (try? stored(h.level, h.index)) != h.hash, report.problems.count < 10 {
                        report.problems.append("the stored subtree \(h.level)/\(h.index) is not the events' (leaf \(leaves))")
                    }
                }
                leaves += 1
            }
            let (size, rowsStored) = (try TransparencyLog.size(db), try Int.fetchOne(db, sql: "SELECT count(*) FROM tlog_hashes") ?? 0)
            if size != leaves { report.problems.append("the tree has \(size) leaves for \(leaves) events") }
            if rowsStored != hashes { report.problems.append("the tree stores \(rowsStored) subtrees, the events make \(hashes)") }
            let root = try? TransparencyLog.root(db, size: size)
            report.lines.append("tree: \(leaves) leaves, root \(root.map { Data($0).base64EncodedString() } ?? "-")")
            let checkpoints = try Row.fetchAll(db, sql: "SELECT note, signer FROM tlog_checkpoints ORDER BY id")
            var held = 0
            for row in checkpoints {
                let (note, signer): (Data, String) = (row[0], row[1])
                do {
                    let signed = try SignedNote(parsing: Array(note))
                    let c = try Checkpoint(text: signed.text)
                    let key = try AuthorKey(parsing: signer)
                    _ = try signed.verified(by: [try NoteVerifier(name: c.origin, publicKey: key.raw)])
                    guard c.size <= size, (try? TransparencyLog.root(db, size: c.size)) == c.root else {
                        throw NoteError("checkpoint \(c.origin) at \(c.size) is not this log's tree at that size")
                    }
                    held += 1
                } catch {
                    report.problems.append("\(error)")
                }
            }
            report.lines.append("checkpoints: \(checkpoints.count) signed, \(held) hold")
            return report
        }
    }
}

extension EventLog {
    /// A C2SP tlog-tiles resource's bytes, read in one snapshot: a hash tile's hashes (32
    /// bytes each), or an entry bundle's event ids (each after its 2-byte big-endian length).
    /// Nil when this log does not (yet) hold the tile whole.
    public func tile(_ tile: TilePath) throws -> [UInt8]? {
        try pool.read { db in
            guard tile.isHeld(inTreeOf: try TransparencyLog.size(db)) else { return nil }
            if tile.level == 0 {
                return try TransparencyLog.ids(db, from: tile.first, to: tile.first + tile.count).flatMap {
                    Merkle.leafHash(Hex.decode($0) ?? [])
                }
            }
            if tile.level == nil {
                var out: [UInt8] = []
                out.reserveCapacity(tile.count * 34)
                for id in try TransparencyLog.ids(db, from: tile.first, to: tile.first + tile.count) {
                    out += [0x00, 0x20] + (Hex.decode(id) ?? [])
                }
                return out
            }
            let hashes = try Data.fetchAll(
                db, sql: "SELECT hash FROM tlog_hashes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                arguments: [tile.merkleLevel, tile.first, tile.first + tile.count])
            guard hashes.count == tile.count else { throw TransparencyError("the tree lacks hashes of tile \(tile.path)") }
            return hashes.flatMap { Array($0) }
        }
    }
}
