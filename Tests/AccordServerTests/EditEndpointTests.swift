import AccordCore
import Foundation
import GRDB
import Testing

@testable import AccordServer
@testable import AccordStore

/// `POST /api/v1/events`: clients post edits they signed themselves; every hostile or
/// broken request is refused with why and changes nothing.
@Suite struct EditEndpointTests {
    typealias Running = NodeServerTests.Running

    static func lines(_ events: [SignedEvent]) -> String {
        events.map { String(decoding: $0.wireLine, as: UTF8.self) }.joined(separator: "\n") + "\n"
    }

    /// Sends `request` as is over a plain socket; returns what the node answers.
    /// Sends `request` as raw bytes and returns the first bytes of the answer. The socket
    /// waits on a thread of its own: blocking one of the task pool's threads while an
    /// in-process node needs that pool to answer could stall every suite for the timeout.
    static func raw(_ url: String, _ request: String) async throws -> String {
        try await withCheckedThrowingContinuation { cont in
            Thread { cont.resume(with: Result { try rawBlocking(url, request) }) }.start()
        }
    }

    static func rawBlocking(_ url: String, _ request: String) throws -> String {
        let port = UInt16(url.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
    }

    static func notes(_ node: Running, _ symbol: String) async throws -> String? {
        let record = try JSONParser.parse(Array(try await node.get("/api/v1/record?symbol=\(symbol)").1.utf8))
        return record["notes"]?.stringValue
    }

    @Test func aCuratorsSignedEditIsAcceptedOnceAndEveryBadOneIsRefusedWithWhy() async throws {
        let node = try Running()
        let curator = SigningKey.fixed("edit-endpoint-curator")
        try Curation(log: node.log).authorize([.granted(key: curator.author, role: .editor, name: "Curator")], key: node.key)
        try await node.start()
        let dataset = try #require(try node.log.datasetID())
        let symbol = try ResolutionSymbol(parsing: "A/RES/73/11")
        var chain = ChainSigner(key: curator, dataset: dataset)
        let edit = chain.sign(DomainEvent.fieldSet(symbol, field: .notes, value: "checked against the PDF", base: []).draft)

        let (code, body, type) = try await node.post("/api/v1/events", Self.lines([edit]), type: "application/x-ndjson")
        #expect(code == 200 && type == "application/json", "\(body)")
        let answer = try JSONParser.parse(Array(body.utf8))
        #expect(answer["accepted"]?.intValue == 1 && answer["results"]?.arrayValue?.first?["id"]?.stringValue == edit.id)
        #expect(try await Self.notes(node, "A/RES/73/11") == "checked against the PDF")
        // Sent again (a retry after a lost answer): a duplicate, still 200, nothing new.
        let again = try await node.post("/api/v1/events", Self.lines([edit]), type: "application/x-ndjson")
        let duplicate = try JSONParser.parse(Array(again.1.utf8))
        #expect(again.0 == 200 && duplicate["duplicate"]?.intValue == 1)
        let count = try node.log.eventCount()

        // A stranger's edit, signed correctly.
        var stranger = ChainSigner(key: SigningKey.fixed("edit-endpoint-stranger"), dataset: dataset)
        let foreign = stranger.sign(DomainEvent.fieldSet(symbol, field: .notes, value: "stranger", base: []).draft)
        // The curator's next edit with its body changed in transit.
        let next = chain.sign(DomainEvent.fieldSet(symbol, field: .notes, value: "second look", base: [edit.id]).draft)
        let tampered = String(decoding: next.wireLine, as: UTF8.self).replacingOccurrences(of: "second look", with: "tampered!!!")
        // The curator's edit of a field with a value the field refuses.
        // It follows the stored edit (seq 2), so only its value is wrong; a seq the node cannot place is refused before.
        var afterEdit = ChainSigner(key: curator, dataset: dataset, seq: 1, prev: edit.id, last: edit.envelope.time)
        let invalidValue = afterEdit.sign(EventDraft(type: "field.set", subject: symbol.key, body: ["field": "meeting", "value": "soon"]))
        for (what, text, reason) in [
            ("a stranger's edit", Self.lines([foreign]), "not a member"),
            ("an edit altered in transit", tampered + "\n", "body"),
            ("an invalid value", Self.lines([invalidValue]), "meeting"),
            ("a line that is no event", "{\"envelope\": 1}\n", "missing"),
        ] {
            let (code, body, type) = try await node.post("/api/v1/events", text, type: "application/x-ndjson")
            #expect(code == 422 && type == "application/problem+json", "\(what): \(code) \(body)")
            let problem = try JSONParser.parse(Array(body.utf8))
            #expect(
                problem["rejected"]?.intValue == 1 && problem["results"]?.arrayValue?.first?["outcome"] == "rejected", "\(what): \(body)")
            #expect(problem["detail"]?.stringValue?.contains(reason) == true, "\(what): \(body)")
        }
        // Requests that are not edits at all.
        let many = Self.lines((0..<65).map { _ in edit })
        for (what, text, headers, expected) in [
            ("no event", "\n \n", [(String, String)](), 400),
            ("65 events", many, [], 413),
            ("another dataset", Self.lines([next]), [("Accord-Dataset", String(repeating: "0", count: 64))], 409),
        ] {
            let (code, body, type) = try await node.post("/api/v1/events", text, type: "application/x-ndjson", headers: headers)
            #expect(code == expected && type == "application/problem+json", "\(what): \(code) \(body)")
        }
        let oversized = String(repeating: "x", count: NodeHandlers.maxEditBytes + 10)
        #expect(try await node.post("/api/v1/events", oversized, type: "application/x-ndjson").0 == 413)
        // What an HTML form can send (even from this node's own origin) is no edit.
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            #expect(try await node.post("/api/v1/events", Self.lines([next]), type: type).0 == 415, "\(type)")
        }
        // One request is stored whole or not at all: a valid edit beside a refused one is not stored.
        var other = ChainSigner(key: curator, dataset: dataset, seq: 1, prev: edit.id, last: edit.envelope.time)
        let valid = other.sign(DomainEvent.fieldSet(symbol, field: .notes, value: "half of a refused request", base: [edit.id]).draft)
        let (mixed, mixedBody, _) = try await node.post(
            "/api/v1/events", Self.lines([valid]) + Self.lines([foreign]), type: "application/x-ndjson")
        let refusal = try JSONParser.parse(Array(mixedBody.utf8))
        #expect(mixed == 422 && refusal["accepted"] == 0, "\(mixedBody)")
        #expect(refusal["results"]?.arrayValue?.first?["code"] == "not-stored", "\(mixedBody)")
        // A body that breaks off (a malformed chunk) is a 400, not a 500.
        #expect(
            try await Self.raw(
                node.url,
                "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-ndjson\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n"
            ).hasPrefix("HTTP/1.1 400"))
        #expect(try node.log.eventCount() == count)
        #expect(try await Self.notes(node, "A/RES/73/11") == "checked against the PDF")
        try await node.stop()
    }

    @Test func aFullDiskAnswers507KeepsWhatWasAcknowledgedAndRecovers() async throws {
        let node = try Running()
        let curator = SigningKey.fixed("edit-endpoint-full-disk")
        try Curation(log: node.log).authorize([.granted(key: curator.author, role: .editor, name: "Curator")], key: node.key)
        try await node.start()
        let dataset = try #require(try node.log.datasetID())
        let symbol = try ResolutionSymbol(parsing: "A/RES/72/1")
        var chain = ChainSigner(key: curator, dataset: dataset)
        let small = chain.sign(DomainEvent.fieldSet(symbol, field: .notes, value: "before the disk filled", base: []).draft)
        #expect(try await node.post("/api/v1/events", Self.lines([small]), type: "application/x-ndjson").0 == 200)
        let digest = try await node.get("/api/v1/digest").1
        let count = try node.log.eventCount()

        // The database may not grow beyond its present size (SQLite's max_page_count).
        try await node.log.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")!
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let text = String(repeating: "A long full text that needs new pages. ", count: 5_000)
        let big = chain.sign(DomainEvent.fieldSet(symbol, field: .text, value: .string(text), base: []).draft)
        let (code, body, type) = try await node.post("/api/v1/events", Self.lines([big]), type: "application/x-ndjson")
        #expect(code == 507 && type == "application/problem+json", "\(code) \(body)")
        #expect(body.contains("cannot grow"), "\(body)")
        // Nothing of it was stored; what was acknowledged is there; reads go on.
        #expect(try node.log.eventCount() == count)
        #expect(try await node.get("/api/v1/digest").1 == digest)
        #expect(try await Self.notes(node, "A/RES/72/1") == "before the disk filled")
        #expect(try await node.get("/health").0 == 200)
        #expect(try node.log.verify().problems.isEmpty)

        // Space returns: the same edit goes through.
        try await node.log.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let retry = try await node.post("/api/v1/events", Self.lines([big]), type: "application/x-ndjson")
        #expect(retry.0 == 200, "\(retry.1)")
        #expect(try node.log.eventCount() == count + 1)
        try await node.stop()
    }
}
