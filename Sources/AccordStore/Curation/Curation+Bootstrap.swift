public import AccordCore
import Foundation

extension Curation {
    /// What starting a dataset did.
    public struct Bootstrap: Sendable {
        public let genesis: String
        /// The seed import's report, when records were seeded.
        public let seeded: RecordImportReport?
    }

    /// Starts a new dataset on an empty node, signed by `key`: the genesis event, the
    /// creator's name (a grant of admin to its own key, so history shows a name rather
    /// than "dataset creator"), and the seed records when given. `accord init` and
    /// `accord serve` on an empty database both start a dataset through here.
    public func createDataset(name: String, creator: String?, seed: [UInt8]?, csv: Bool = false, key: SigningKey) throws -> Bootstrap {
        if let existing = try log.datasetID() { throw EditConflict("this node already holds dataset \(existing)") }
        let outcome = try log.author([.genesis(name: name)], key: key)
        guard case .accepted(let id) = outcome.first else {
            throw EditRefused("the genesis event was refused: \(String(describing: outcome.first))")
        }
        if let creator = creator?.trimmingCharacters(in: .whitespacesAndNewlines), !creator.isEmpty {
            try authorize([.granted(key: key.author, role: .admin, name: creator)], key: key)
        }
        let report = try seed.map { try importRecords($0, csv: csv, key: key) }
        return Bootstrap(genesis: id, seeded: report)
    }
}
