import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Strangers that trickle edit requests at a node: each holds a connection with a request
/// head sent and then one body byte a second (and connects again when the node cuts it),
/// as the slow-sender attack on the edit endpoint does.
final class SlowSenders: @unchecked Sendable {
    let port: Int
    private var sockets: [Int32] = []
    private(set) var reconnects = 0
    static let head =
        "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{"

    init(port: Int, count: Int) {
        self.port = port
        sockets = (0..<count).map { _ in Self.open(port) }
    }

    static func open(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if connected { _ = send(fd, head, head.utf8.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// One byte on every connection; a connection the node closed is opened again.
    func tick() {
        for (k, fd) in sockets.enumerated() where send(fd, "x", 1, Int32(MSG_NOSIGNAL)) != 1 {
            close(fd)
            sockets[k] = Self.open(port)
            reconnects += 1
        }
    }

    func stop() {
        for fd in sockets { close(fd) }
        sockets = []
    }
}
