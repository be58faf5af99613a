public import AccordCore
import Foundation

/// The proofs `/log/v1/proof` answers with (Docs/transparency.md), hashes in base64.
public enum LogProofs {
    /// `?id=ID[&size=N]`: where event `id` is in the tree of `size` leaves, and the path.
    public struct Inclusion: Codable, Sendable, Equatable {
        public var id: String
        public var index: Int
        public var size: Int
        public var proof: [String]

        public init(id: String, index: Int, size: Int, proof: [Merkle.Hash]) {
            self.id = id
            self.index = index
            self.size = size
            self.proof = proof.map { Data($0).base64EncodedString() }
        }
    }

    /// `?from=M&to=N`: that the tree of `from` leaves is a prefix of the tree of `to`.
    public struct Consistency: Codable, Sendable, Equatable {
        public var from: Int
        public var to: Int
        public var proof: [String]

        public init(from: Int, to: Int, proof: [Merkle.Hash]) {
            self.from = from
            self.to = to
            self.proof = proof.map { Data($0).base64EncodedString() }
        }
    }

    /// The most hashes a proof of a tree of up to 2^63 leaves has.
    public static let maxHashes = 128

    /// A proof's hashes, or why they cannot be read.
    public static func hashes(_ proof: [String]) throws(DomainError) -> [Merkle.Hash] {
        guard proof.count <= maxHashes else { throw DomainError("a proof has at most \(maxHashes) hashes") }
        var out: [Merkle.Hash] = []
        for h in proof {
            guard let raw = Data(base64Encoded: h), raw.count == 32 else { throw DomainError("a proof's hashes are 32 bytes in base64") }
            out.append(Array(raw))
        }
        return out
    }
}
