public import AccordCore
public import NIOCore

/// How a sync session reaches its peer: over HTTP (`HTTPSyncTransport`) in the product, or
/// straight into another node's database (`InMemorySyncTransport`) where a test is about
/// the protocol and not the network. A refusal or a failure is a `SyncError` that says why.
public protocol SyncTransport: Sendable {
    /// The peer as messages name it (its base URL).
    var peer: String { get }
    /// Sends a pull request (its JSON) and hands the page to `receive` as its bytes arrive.
    func pull(_ body: [UInt8], dataset: String?, timeout: TimeAmount, receive: ([UInt8]) async throws -> Void) async throws
    /// Sends a push body (NDJSON events) and returns the answer (a push result's JSON).
    func push(_ body: [UInt8], dataset: String?, timeout: TimeAmount) async throws -> [UInt8]
    /// The peer's records digest, nil when it gives none.
    func digest(timeout: TimeAmount) async -> String?
    /// The peer's latest signed checkpoint and its verifier key (`/log/v1/checkpoint`,
    /// `/log/v1/vkey`), nil when it signs none (it serves without a key, or is older).
    func checkpoint(timeout: TimeAmount) async throws -> (note: [UInt8], vkey: String)?
    /// The peer's proof that its tree of `from` leaves is a prefix of its tree of `to`.
    func consistencyProof(from: Int, to: Int, timeout: TimeAmount) async throws -> [Merkle.Hash]
    /// Gives the peer this node's cosignature of its checkpoint (a signed note); false when
    /// the peer does not take it (it does not name this node as a witness).
    func cosignature(_ note: [UInt8], timeout: TimeAmount) async throws -> Bool
}
