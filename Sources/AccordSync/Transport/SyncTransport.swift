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
}
