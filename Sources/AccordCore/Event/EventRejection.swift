/// Why an event was refused. `code` is stable (test vectors and scripts match it);
/// `message` says what to do about it.
public struct EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case malformedJSON = "malformed-json"
        case tooLarge = "too-large"
        case badShape = "bad-shape"
        case malformedAuthor = "malformed-author"
        case badTime = "bad-time"
        case bodyHashMismatch = "body-hash-mismatch"
        case idMismatch = "id-mismatch"
        case badSignature = "bad-signature"
        case seqGap = "seq-gap"
        case wrongPrev = "wrong-prev"
        case wrongDataset = "wrong-dataset"
        case noDataset = "no-dataset"
        case equivocation = "equivocation"
        case unauthorized = "unauthorized"
        case invalidPayload = "invalid-payload"
        /// Stamped more than the clock's maximum drift ahead of the receiving node's clock.
        case futureTime = "future-time"
        /// A valid event not stored because another event of the same edit request was
        /// refused: an edit request is stored whole or not at all.
        case notStored = "not-stored"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
