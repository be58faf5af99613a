import Foundation

/// What one sync with a peer did.
public struct SyncReport: Sendable, Codable, Equatable {
    public var peer: String
    public var roundTrips = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var eventsSent = 0
    public var eventsReceived = 0
    /// Events the peer sent that this node refused (bad signature, fork, ...).
    public var rejectedReceived = 0
    /// Events this node sent that the peer refused.
    public var rejectedSent = 0
    public var seconds = 0.0
    public var newConflicts = 0
    public var error: String?

    public init(peer: String) { self.peer = peer }

    public var summary: String {
        var s =
            "\(peer): \(roundTrips) round trips, received \(eventsReceived) events (\(bytesReceived) bytes), sent \(eventsSent) events (\(bytesSent) bytes), "
            + String(format: "%.3f s", seconds) + ", \(newConflicts) new conflicts"
        if rejectedReceived > 0 { s += ", \(rejectedReceived) received events refused" }
        if rejectedSent > 0 { s += ", \(rejectedSent) sent events refused by the peer" }
        if let error { s += "; error: \(error)" }
        return s
    }
}

/// Why a sync failed, said so a user can act.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
