import Foundation

/// The budget of the node's one door, every connection whatever its route: how many
/// connections in total and per client address, how long a connection may wait before a
/// request head has arrived whole, and the slowest a request body may arrive. The rules are
/// pure; the server's `ConnectionGuard` applies them (Docs/operations.md, "Limits").
public struct DoorLimits: Sendable, Equatable {
    /// Open connections at once (the server also keeps it below its descriptor limit).
    public var maxConnections: Int
    /// Open connections at once from one client address.
    public var maxPerClient: Int
    /// From a connection's start, or the end of its last response, to a whole request head.
    public var headTimeout: Duration
    /// A request body may take this long before the minimum rate applies (longer than a
    /// push's own 10 s, so a push is judged by its handler first, with its figures).
    public var bodyGrace: Duration
    /// After `bodyGrace`, a body must have arrived at this rate on average since then.
    public var minBodyBytesPerSecond: Int

    public init(
        maxConnections: Int = 1024, maxPerClient: Int = 256, headTimeout: Duration = .seconds(15), bodyGrace: Duration = .seconds(15),
        minBodyBytesPerSecond: Int = 16 * 1024
    ) {
        self.maxConnections = maxConnections
        self.maxPerClient = maxPerClient
        self.headTimeout = headTimeout
        self.bodyGrace = bodyGrace
        self.minBodyBytesPerSecond = minBodyBytesPerSecond
    }

    /// Why a connection that has waited `waited` for a request head is closed, or nil.
    public func headOverdue(waited: Duration) -> String? {
        waited > headTimeout ? "no whole request head within \(headTimeout)" : nil
    }

    /// Why a body that has sent `bytes` in `elapsed` since its head is cut off, or nil:
    /// after the grace it must keep up `minBodyBytesPerSecond` since the grace ended.
    public func bodyTooSlow(elapsed: Duration, bytes: Int) -> String? {
        guard elapsed > bodyGrace else { return nil }
        let late = elapsed - bodyGrace
        let seconds = Double(late.components.seconds) + Double(late.components.attoseconds) / 1e18
        return Double(bytes) < seconds * Double(minBodyBytesPerSecond)
            ? "a request body must arrive at \(minBodyBytesPerSecond / 1024) KiB/s or faster after its first \(bodyGrace)" : nil
    }

    /// The connection cap this node can keep: at most `maxConnections`, and `reserve`
    /// below the process's descriptor limit (the database, its WAL, peers, logs).
    public func connectionCap(descriptorLimit: Int, reserve: Int = 64) -> Int {
        max(1, min(maxConnections, descriptorLimit - reserve))
    }
}

/// Who holds the door's connections: admits a new one within the caps, releases it when
/// it closes. A value; the server keeps one behind a lock.
public struct ConnectionBook: Sendable {
    public let total: Int
    public let perClient: Int
    public private(set) var open = 0
    public private(set) var byClient: [String: Int] = [:]

    public init(total: Int, perClient: Int) {
        self.total = total
        self.perClient = perClient
    }

    /// Whom a connection from `address` counts against: its IPv4 /24 or IPv6 /64 network,
    /// since one host or one party easily holds many addresses there (aliases, a prefix of
    /// its own); a loopback address stands for itself (programs on this machine).
    public static func client(_ address: String) -> String {
        if address.contains(":") {
            if address == "::1" { return address }
            // The first four groups of the address, written out (`::` expanded).
            let halves = address.lowercased().components(separatedBy: "::")
            let head = halves[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
            let tail = halves.count > 1 ? halves[1].split(separator: ":").map(String.init) : []
            let groups = head + Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) + tail
            guard groups.count >= 4 else { return address }
            return groups.prefix(4).joined(separator: ":") + "::/64"
        }
        let parts = address.split(separator: ".")
        guard parts.count == 4, parts[0] != "127" else { return address }
        return parts.prefix(3).joined(separator: ".") + ".0/24"
    }

    /// Why a new connection from `client` is refused, or nil (and it is counted).
    public mutating func admit(_ client: String) -> String? {
        if open >= total { return "the node holds its \(total) connections" }
        if byClient[client, default: 0] >= perClient { return "\(client) holds \(perClient) connections" }
        open += 1
        byClient[client, default: 0] += 1
        return nil
    }

    public mutating func release(_ client: String) {
        open = max(0, open - 1)
        let n = byClient[client, default: 0] - 1
        byClient[client] = n > 0 ? n : nil
    }
}
