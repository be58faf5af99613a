import AccordCore
import AccordTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A TCP connection from a chosen loopback address (127.0.0.2 is another client to the node).
final class RawConnection {
    let fd: Int32

    init?(port: Int, from source: String = "127.0.0.1") {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let ok = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok, connected else {
            close(fd)
            return nil
        }
    }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Whether the node has closed this connection (a read returns end of file or an error).
    var closedByPeer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 { return true }
            if n < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }

    deinit { close(fd) }
}

/// The door every connection passes: caps in total and per client, a deadline for the
/// request head, a minimum body rate; edits keep being served while strangers hold
/// thousands of half-sent requests or trickle bytes (real sockets, a real `accord serve`).
@Suite(.serialized) struct DoorTests {
    func serve(_ cli: CLI, _ node: HostileNetworkTests.Node, _ extra: [String]) throws -> ServeProcess {
        let p = ServeProcess(arguments: ["serve", "--port", "0", "--db", node.db, "--key", cli.path("admin")] + extra, env: cli.env)
        try p.start()
        return p
    }

    static func port(_ url: String) -> Int { Int(url.split(separator: ":").last!)! }

    /// Time of one GET /health, or nil when it failed.
    static func health(_ url: String) async -> Double? {
        var request = URLRequest(url: URL(string: url + "/health")!)
        request.timeoutInterval = 10
        let start = Date()
        guard let (_, response) = try? await URLSession.shared.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200 else {
            return nil
        }
        return Date().timeIntervalSince(start)
    }

    @Test func aFloodOfHalfSentRequestsFromOneHostLeavesOthersServed() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await HostileNetworkTests.seeded(cli, editor: false)
        let server = try serve(cli, node, ["--max-connections-per-client", "40", "--max-connections", "200", "--head-timeout", "2"])
        defer { _ = server.terminate() }
        let port = Self.port(server.url)
        // One host opens five times its cap, each with half a request head.
        var flood: [RawConnection] = []
        for _ in 0..<200 {
            guard let c = RawConnection(port: port, from: "127.0.0.2") else { continue }
            c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            flood.append(c)
        }
        #expect(flood.count >= 150)
        // Past its cap the node closes them at once; another client is answered meanwhile.
        #expect(
            await eventually(within: 5) { flood.filter { $0.closedByPeer }.count >= 150 },
            "\(flood.filter { $0.closedByPeer }.count) of \(flood.count) closed")
        for _ in 0..<5 { #expect(await Self.health(server.url) != nil) }
        // The ones it kept are closed once the head deadline passes, trickling or not.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, flood.contains(where: { !$0.closedByPeer }) {
            for c in flood { c.send("a") }
            try await Task.sleep(for: .milliseconds(500))
        }
        let stillOpen = flood.filter { !$0.closedByPeer }.count
        #expect(stillOpen == 0)
        #expect(await Self.health(server.url) != nil)
    }

    @Test func slowSendersNeverHoldTheEditSlots() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await HostileNetworkTests.seeded(cli)
        let server = try serve(cli, node, ["--body-grace", "3"])
        defer { _ = server.terminate() }
        let port = Self.port(server.url)
        // 80 edit requests (more than the 64 edit slots) that send their body one byte at a time.
        var slow: [RawConnection] = []
        for _ in 0..<80 {
            guard let c = RawConnection(port: port, from: "127.0.0.3") else { continue }
            c.send(
                "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{")
            slow.append(c)
        }
        #expect(slow.count == 80)
        // Once the node holds them all open, an honest edit is taken, not refused with 429.
        #expect(await eventually { (Self.gauge(server.url, "accord_connections_open") ?? 0) >= 80 })
        let editor = try node.key("editor")
        let set = DomainEvent.fieldSet(try ResolutionSymbol(parsing: "A/RES/72/1"), field: .notes, value: "honest", base: [])
        let line = try await HostileNetworkTests().next(node, editor, set.draft)
        let (status, answer, _) = await HostileNetworkTests.post(server.url + "/api/v1/events", Data(line + [0x0A]))
        #expect(status == 200, "\(status) \(String(decoding: answer, as: UTF8.self))")
        // The trickling senders are cut once the grace (3 s here) is over, with a 408.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, slow.contains(where: { !$0.closedByPeer }) {
            for c in slow { c.send("x") }
            try await Task.sleep(for: .seconds(1))
        }
        let stillOpen = slow.filter { !$0.closedByPeer }.count
        #expect(stillOpen == 0)
    }

    /// A gauge's value from the node's `/metrics`.
    static func gauge(_ url: String, _ name: String) -> Double? {
        guard let text = httpGet(url + "/metrics") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
