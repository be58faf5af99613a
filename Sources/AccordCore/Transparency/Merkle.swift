import Crypto

/// The RFC 6962 / RFC 9162 Merkle tree: hashes, roots and proofs, as pure functions.
///
/// Leaves are the 32 raw bytes of event ids: a redaction changes no id, so it changes no
/// root and no proof. A tree is read through `hash(level:index:)` of its complete subtrees
/// (level L, index n: leaves n·2^L ..< (n+1)·2^L), which is what a node stores as it grows
/// (`storedHashes`: about two per leaf); any other subtree's hash is computed from those.
public enum Merkle {
    public typealias Hash = [UInt8]

    /// SHA-256(0x00 ‖ data).
    public static func leafHash(_ data: some Collection<UInt8>) -> Hash {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: Array(data))
        return Array(h.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// The root of the empty tree: SHA-256 of nothing.
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// The largest power of two below `n` (n > 1).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The hashes to store when leaf `index` is appended, as (level, index, hash): the leaf
    /// hash, then each complete subtree the leaf completes. `stored` reads hashes stored
    /// before (the left siblings; always complete subtrees of earlier leaves).
    public static func storedHashes(
        appending leaf: Hash, at index: Int, stored: (_ level: Int, _ index: Int) throws -> Hash
    ) rethrows -> [(level: Int, index: Int, hash: Hash)] {
        var out = [(level: 0, index: index, hash: leaf)]
        var (h, n, level) = (leaf, index, 0)
        while n & 1 == 1 {
            let left = try stored(level, n - 1)
            h = nodeHash(left, h)
            n >>= 1
            level += 1
            out.append((level, n, h))
        }
        return out
    }

    /// The hash of leaves lo ..< hi (RFC 6962 MTH), from the complete subtrees `stored` reads.
    public static func subtreeHash(_ lo: Int, _ hi: Int, stored: (_ level: Int, _ index: Int) throws -> Hash) rethrows -> Hash {
        let n = hi - lo
        if n == 0 { return emptyRoot }
        if n & (n - 1) == 0 {
            let level = n.trailingZeroBitCount
            return try stored(level, lo >> level)
        }
        let k = split(n)
        return nodeHash(try subtreeHash(lo, lo + k, stored: stored), try subtreeHash(lo + k, hi, stored: stored))
    }

    /// The root of a tree of `size` leaves.
    public static func root(size: Int, stored: (_ level: Int, _ index: Int) throws -> Hash) rethrows -> Hash {
        try subtreeHash(0, size, stored: stored)
    }

    /// The root of the tree over these leaf hashes (tests and the auditor's verifier).
    public static func root(leafHashes: [Hash]) -> Hash {
        func mth(_ lo: Int, _ hi: Int) -> Hash {
            let n = hi - lo
            if n == 0 { return emptyRoot }
            if n == 1 { return leafHashes[lo] }
            let k = split(n)
            return nodeHash(mth(lo, lo + k), mth(lo + k, hi))
        }
        return mth(0, leafHashes.count)
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962 PATH).
    public static func inclusionProof(index: Int, size: Int, stored: (_ level: Int, _ index: Int) throws -> Hash) throws -> [Hash] {
        guard index >= 0, index < size else { throw ProofError("leaf \(index) is not in a tree of \(size)") }
        func path(_ m: Int, _ lo: Int, _ hi: Int) throws -> [Hash] {
            let n = hi - lo
            if n <= 1 { return [] }
            let k = split(n)
            if m < k { return try path(m, lo, lo + k) + [try subtreeHash(lo + k, hi, stored: stored)] }
            return try path(m - k, lo + k, hi) + [try subtreeHash(lo, lo + k, stored: stored)]
        }
        return try path(index, 0, size)
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` (RFC 6962 PROOF).
    public static func consistencyProof(from: Int, to: Int, stored: (_ level: Int, _ index: Int) throws -> Hash) throws -> [Hash] {
        guard from >= 0, from <= to else { throw ProofError("a tree of \(from) is not a prefix of a tree of \(to)") }
        if from == 0 || from == to { return [] }
        func subproof(_ m: Int, _ lo: Int, _ hi: Int, _ whole: Bool) throws -> [Hash] {
            let n = hi - lo
            if m == n { return whole ? [] : [try subtreeHash(lo, hi, stored: stored)] }
            let k = split(n)
            if m <= k { return try subproof(m, lo, lo + k, whole) + [try subtreeHash(lo + k, hi, stored: stored)] }
            return try subproof(m - k, lo + k, hi, false) + [try subtreeHash(lo, lo + k, stored: stored)]
        }
        return try subproof(from, 0, to, true)
    }

    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`
    /// (RFC 9162, 2.1.3.2).
    public static func verifyInclusion(index: Int, size: Int, leafHash: Hash, proof: [Hash], root: Hash) throws(ProofError) {
        guard index >= 0, index < size else { throw ProofError("leaf \(index) is not in a tree of \(size)") }
        guard proof.allSatisfy({ $0.count == 32 }), root.count == 32, leafHash.count == 32 else {
            throw ProofError("hashes are 32 bytes")
        }
        var (fn, sn, r) = (index, size - 1, leafHash)
        for p in proof {
            guard sn > 0 else { throw ProofError("the inclusion proof is longer than a tree of \(size) needs") }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw ProofError("the inclusion proof is shorter than a tree of \(size) needs") }
        guard r == root else { throw ProofError("the inclusion proof does not lead to the root") }
    }

    /// Checks that the tree of `size1` leaves with root `root1` is a prefix of the tree of
    /// `size2` with root `root2` (RFC 9162, 2.1.4.2).
    public static func verifyConsistency(size1: Int, size2: Int, proof: [Hash], root1: Hash, root2: Hash) throws(ProofError) {
        guard size1 >= 0, size1 <= size2 else { throw ProofError("a tree of \(size2) cannot follow a tree of \(size1)") }
        // From the empty tree nothing is proved (as transparency-dev/merkle): a client with no
        // checkpoint yet takes its first one on its signatures alone.
        guard size1 > 0 else { throw ProofError("a consistency proof starts from a tree of at least one leaf") }
        // Trees of one size need no proof: the roots are compared as given.
        if size1 == size2 {
            guard proof.isEmpty else { throw ProofError("trees of one size need an empty proof") }
            guard root1 == root2 else { throw ProofError("two roots for a tree of \(size1)") }
            return
        }
        guard proof.allSatisfy({ $0.count == 32 }), root1.count == 32, root2.count == 32 else {
            throw ProofError("hashes are 32 bytes")
        }
        guard !proof.isEmpty else { throw ProofError("the consistency proof is empty") }
        let path = size1 & (size1 - 1) == 0 ? [root1] + proof : proof
        var (fn, sn) = (size1 - 1, size2 - 1)
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var (fr, sr) = (path[0], path[0])
        for c in path.dropFirst() {
            guard sn > 0 else { throw ProofError("the consistency proof is longer than the trees need") }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw ProofError("the consistency proof is shorter than the trees need") }
        guard fr == root1 else { throw ProofError("the consistency proof does not lead to the older root") }
        guard sr == root2 else { throw ProofError("the consistency proof does not lead to the newer root") }
    }
}

/// A proof that does not hold, with why.
public struct ProofError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
