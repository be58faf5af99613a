import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AccordServer

/// The node's routes answered in process (HummingbirdTesting's router framework: requests go
/// to the application's responder, no socket): what each door answers and how it refuses.
/// The tests where the socket is the point (slow senders, floods, declared sizes, TLS) use
/// real sockets (`NodeServerTests`, `HostileNetworkTests`).
@Suite struct InProcessRouteTests {
    static let key = SigningKey.fixed("in-process-admin")

    static func node() throws -> EventLog {
        let log = try EventLog.inMemory()
        _ = try log.author([.genesis(name: "in-process test")], key: key)
        _ = try Curation(log: log).importRecords(Repository.seedRecords, csv: false, key: key)
        return log
    }

    static func app(_ log: EventLog, key: SigningKey? = nil, witnesses: [NoteVerifier] = []) throws -> some ApplicationProtocol {
        var configuration = NodeConfiguration(host: "127.0.0.1", port: 0)
        configuration.nodeKey = key
        configuration.witnesses = witnesses
        return try NodeServer.application(log: log, configuration: configuration, logger: TestServer.quiet)
    }

    static func call(
        _ client: some TestClientProtocol, uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    static func problem(_ r: TestResponse) throws -> JSONValue {
        #expect(r.headers[.contentType] == "application/problem+json")
        return try JSONParser.parse([UInt8](r.body.readableBytesView))
    }

    @Test func errorsAreProblemDetailsThatSayWhy() async throws {
        try await Self.app(try Self.node()).test(.router) { client in
            for (path, status, why) in [
                ("/api/v1/record?symbol=A/RES/x", 400, "A/RES/x"), ("/api/v1/record", 400, "symbol"), ("/api/v1/search", 400, "q"),
                ("/api/v1/history?symbol=A/RES/99/1", 404, "A/RES/99/1"), ("/api/v1/record?symbol=S/RES/9999", 404, "S/RES/9999"),
                ("/api/v1/chain?symbol=A/RES/99/1", 404, "A/RES/99/1"),
                ("/api/v1/records?year=soon", 400, "year must be a whole number"), ("/api/v1/records?body=UN", 400, "body is GA, SC"),
                ("/api/v1/records?sort=size", 400, "sort is"), ("/api/v1/records?limit=0", 400, "limit is 1 to 500"),
            ] {
                do {
                    let r = try await Self.call(client, uri: path, method: .get)
                    #expect(r.status.code == status, "\(path)")
                    let p = try Self.problem(r)
                    #expect(p["status"]?.intValue == status, "\(path)")
                    #expect(p["detail"]?.stringValue?.contains(why) == true, "\(path): \(p)")
                }
            }
            // A known path asked with another method: 405 and what it answers.
            do {
                let r = try await Self.call(client, uri: "/api/v1/records", method: .delete)
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "GET, HEAD")
            }
        }
    }

    /// The sync doors read their messages once (`WireJSON`) and say what is wrong.
    @Test func theSyncDoorsRefuseMalformedMessagesAndAnswerWithAnEndLine() async throws {
        let log = try Self.node()
        try await Self.app(log).test(.router) { client in
            for (body, why) in [
                ("{not json", "byte"), (#"{"vector":[]}"#, "a version vector maps"), (#"{"vector":{},"heads":[]}"#, "heads maps"),
                (#"{"vector":{},"vector":{}}"#, "not JSON"),
            ] {
                do {
                    let r = try await Self.call(
                        client,
                        uri: SyncProtocol.pullPath, method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: body)
                    )
                    #expect(r.status == .badRequest, "\(body)")
                    #expect(try Self.problem(r)["detail"]?.stringValue?.contains(why) == true, "\(body)")
                }
            }
            let request = SyncProtocol.PullRequest(dataset: try log.datasetID(), vector: VersionVector(), maxEvents: 5)
            do {
                let r = try await Self.call(
                    client,
                    uri: SyncProtocol.pullPath, method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(bytes: WireJSON.encode(request))
                )
                #expect(r.status == .ok)
                let lines = NDJSONLineSplitter.lines(of: [UInt8](r.body.readableBytesView)).map(\.bytes)
                #expect(lines.count == 6)
                let end = try WireJSON.decode(SyncProtocol.PageEnd.self, from: lines[5])
                let dataset = try log.datasetID()
                #expect(end.events == 5 && end.next != nil && end.dataset == dataset)
            }
            // An empty push takes nothing; one from a page in a browser, or as a form, is refused.
            do {
                let r = try await Self.call(
                    client, uri: SyncProtocol.pushPath, method: .post, headers: [.contentType: "application/x-ndjson"])
                #expect(r.status == .ok)
                #expect(try WireJSON.decode(SyncProtocol.PushResult.self, from: [UInt8](r.body.readableBytesView)).accepted == 0)
            }
            let line = ByteBuffer(bytes: try log.readChunk(after: 0, limit: 1)[0].wireLine + [0x0A])
            for (name, value, status) in [
                ("Sec-Fetch-Site", "cross-site", HTTPResponse.Status.forbidden), ("Origin", "http://evil.example", .forbidden),
                ("Content-Type", "text/plain", .unsupportedMediaType),
            ] {
                var headers: HTTPFields = [.contentType: "application/x-ndjson"]
                headers[HTTPField.Name(name)!] = value
                do {
                    let r = try await Self.call(client, uri: SyncProtocol.pushPath, method: .post, headers: headers, body: line)
                    #expect(r.status == status, "\(name): \(value)")
                }
            }
        }
    }

    /// The drafts door reads its request once (`DraftsRequest`) and changes nothing.
    @Test func theDraftsDoorChecksItsRequest() async throws {
        let log = try Self.node()
        let before = try log.eventCount()
        let author = Self.key.author.text
        try await Self.app(log).test(.router) { client in
            for (body, status, why) in [
                (#"{"edit":"set"}"#, 400, "author is required"),
                (#"{"author":"\#(author)","edit":"tag","symbol":"A/RES/73/11","topics":[]}"#, 400, "topics holds 1 to 1000"),
                (#"{"author":"\#(author)","edit":"set","symbol":"A/RES/73/11","field":"notes"}"#, 400, "text is required"),
                (#"{"author":"\#(author)","author":"\#(author)","edit":"restore","symbol":"A/RES/73/11"}"#, 400, "not JSON"),
            ] {
                do {
                    let r = try await Self.call(
                        client,
                        uri: "/api/v1/drafts", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
                    )
                    #expect(r.status.code == status, "\(body)")
                    #expect(try Self.problem(r)["detail"]?.stringValue?.contains(why) == true, "\(body)")
                }
            }
            let set = #"{"author":"\#(author)","edit":"set","symbol":"A/RES/73/11","field":"notes","text":"Why it matters"}"#
            do {
                let r = try await Self.call(
                    client,
                    uri: "/api/v1/drafts", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: set)
                )
                #expect(r.status == .ok)
                let answer = try JSONParser.parse([UInt8](r.body.readableBytesView))
                #expect(answer["drafts"]?.arrayValue?.first?["type"]?.stringValue == "field.set")
            }
        }
        #expect(try log.eventCount() == before)
    }

    /// `/log/v1/`: the checkpoint verifies with the node's verifier key, and the proofs the node
    /// serves lead to its root; a node without a key says it signs none.
    @Test func theAuditorsDownloadsVerifyAndThePageRunsOnlyItsOwnScript() async throws {
        let log = try Self.node()
        try await Self.app(log, key: Self.key).test(.router) { client in
            let bundle = try await Self.call(client, uri: "/audit/bundle.ndjson", method: .get)
            #expect(bundle.status == .ok)
            guard case .success(let report) = AuditVerifier.verify([UInt8](bundle.body.readableBytesView)) else {
                Issue.record("the served bundle does not verify")
                return
            }
            #expect(report.verdict.hasPrefix("Verified: \(try log.eventCount()) events"))
            let page = try await Self.call(client, uri: "/audit/verify.html", method: .get)
            #expect([UInt8](page.body.readableBytesView) == AuditVerifierPage.bytes)
            let csp = page.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.hasPrefix("default-src 'none'; script-src 'sha256-") && !csp.contains("unsafe"), "\(csp)")
            let audit = try await Self.call(client, uri: "/audit", method: .get)
            #expect(String(buffer: audit.body).contains(AuditVerifierPage.sha256))
        }
        // A node without a key signs no checkpoints: no bundle, and it says why.
        try await Self.app(log).test(.router) { client in
            let refused = try await Self.call(client, uri: "/audit/bundle.ndjson", method: .get)
            #expect(refused.status == .notFound)
        }
    }

    @Test func theTransparencyLogIsServedAndItsProofsHold() async throws {
        let log = try Self.node()
        try await Self.app(log, key: Self.key).test(.router) { client in
            let vkey = String(buffer: try await Self.call(client, uri: "/log/v1/vkey", method: .get).body)
            let verifier = try NoteVerifier(vkey: vkey.trimmingCharacters(in: .newlines))
            let r = try await Self.call(client, uri: "/log/v1/checkpoint", method: .get)
            #expect(r.status == .ok && r.headers[.contentType]?.hasPrefix("text/plain") == true)
            let note = try SignedNote(parsing: [UInt8](r.body.readableBytesView))
            #expect(try note.verified(by: [verifier]) == [verifier])
            let checkpoint = try Checkpoint(text: note.text)
            let count = try log.eventCount()
            #expect(checkpoint.origin == verifier.name && checkpoint.size == count)
            let id = try log.readChunk(after: 3, limit: 1)[0].id
            let proof = try JSONParser.parse(
                [UInt8](
                    try await Self.call(client, uri: "/log/v1/proof?id=\(id)&size=\(checkpoint.size)", method: .get).body.readableBytesView)
            )
            let hashes = (proof["proof"]?.arrayValue ?? []).compactMap {
                $0.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init)
            }
            try Merkle.verifyInclusion(
                index: proof["index"]?.intValue ?? -1, size: checkpoint.size, leafHash: Merkle.leafHash(Hex.decode(id)!), proof: hashes,
                root: checkpoint.root)
            let consistency = try JSONParser.parse(
                [UInt8](try await Self.call(client, uri: "/log/v1/proof?from=5&to=\(checkpoint.size)", method: .get).body.readableBytesView)
            )
            try Merkle.verifyConsistency(
                size1: 5, size2: checkpoint.size,
                proof: (consistency["proof"]?.arrayValue ?? []).compactMap {
                    $0.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init)
                },
                root1: try log.treeRoot(size: 5), root2: checkpoint.root)
            // Tiles (c2sp.org/tlog-tiles): the right edge's partial level-0 tile hashes to the root.
            let tile = try await Self.call(client, uri: "/log/v1/tile/0/000.p/\(checkpoint.size)", method: .get)
            #expect(tile.status == .ok && tile.headers[.cacheControl]?.contains("immutable") == true)
            let leafHashes = stride(from: 0, to: tile.body.readableBytes, by: 32).map {
                Array(tile.body.readableBytesView.dropFirst($0).prefix(32))
            }
            #expect(Merkle.root(leafHashes: leafHashes) == checkpoint.root)
            let entries = try await Self.call(client, uri: "/log/v1/tile/entries/000.p/\(checkpoint.size)", method: .get)
            #expect(entries.body.readableBytes == 34 * checkpoint.size)
            for (uri, status) in [
                ("/log/v1/tile/0/000", 404), ("/log/v1/tile/0/000.p/\(checkpoint.size + 1)", 404), ("/log/v1/tile/0/1", 404),
                ("/log/v1/tile/9/000", 404),
                ("/log/v1/proof?id=\(id)&size=\(checkpoint.size + 1)", 404), ("/log/v1/proof?id=xyz", 400), ("/log/v1/proof", 400),
                ("/log/v1/proof?from=0&to=3", 404),
            ] {
                #expect(try await Self.call(client, uri: uri, method: .get).status.code == status, "\(uri)")
            }
        }
        try await Self.app(log).test(.router) { client in
            let r = try await Self.call(client, uri: "/log/v1/checkpoint", method: .get)
            let detail = try Self.problem(r)["detail"]?.stringValue ?? ""
            #expect(r.status == .notFound && detail.contains("without a key"))
        }
    }

    /// c2sp.org/tlog-witness on a node that knows the log (it synced with it): 200 with a
    /// cosignature line, 409 with the size it holds, 422 for a failing proof, 403 for a
    /// checkpoint its log did not sign, 404 for a log it does not know, 400 for garbage. And the
    /// log's side: it keeps the cosignature of a witness it names and serves it.
    @Test func theWitnessEndpointAndCosignaturesAnswerAsTheSpecSays() async throws {
        let hub = try Self.node()
        let hubKey = Self.key
        let witnessKey = SigningKey.fixed("in-process-witness")
        let witness = try EventLog.inMemory()
        var t = InMemorySyncTransport(server: hub)
        t.serverKey = hubKey
        _ = try await SyncSession(log: witness, transport: t).sync()
        let held = try #require(try witness.heldPeerLogs().first).checkpoint
        try Curation(log: hub).edit(.set(try Curation(log: hub).existing("A/RES/72/1"), .notes, "grown"), key: hubKey)
        let note = try hub.signCheckpoint(with: hubKey, interval: 0)
        let size = try hub.treeHead().size
        let good = Witness.AddCheckpoint(oldSize: held.size, proof: try hub.consistencyProof(from: held.size, to: size), note: note.bytes)
        let witnessVerifier = Witness.signer(witnessKey).verifier
        try await Self.app(witness, key: witnessKey).test(.router) { client in
            func add(_ body: [UInt8]) async throws -> TestResponse {
                try await Self.call(client, uri: "/witness/v1/add-checkpoint", method: .post, body: ByteBuffer(bytes: body))
            }
            var forged = good
            forged.note =
                SignedNote.sign(text: note.text, with: [try NoteSigner(name: held.origin, key: SigningKey.fixed("not the hub"))]).bytes
            #expect(try await add(forged.body).status == .forbidden)
            var badProof = good
            badProof.proof = try hub.consistencyProof(from: held.size - 1, to: size)
            #expect(try await add(badProof.body).status == .unprocessableContent)
            let ok = try await add(good.body)
            #expect(ok.status == .ok)
            let line = try SignedNote(parsing: Array((note.text + "\n" + String(buffer: ok.body)).utf8))
            #expect(try line.verified(by: [witnessVerifier]) == [witnessVerifier])
            let stale = try await add(good.body)
            #expect(
                stale.status == .conflict && stale.headers[.contentType] == "text/x.tlog.size" && String(buffer: stale.body) == "\(size)\n")
            #expect(try await add(Array("old 0\n\ngarbage".utf8)).status == .badRequest)
            let stranger = try EventLog.inMemory()
            _ = try stranger.author([.genesis(name: "a log nobody synced")], key: SigningKey.fixed("stranger"))
            let unknown = Witness.AddCheckpoint(
                oldSize: 0, proof: [], note: try stranger.signCheckpoint(with: SigningKey.fixed("stranger")).bytes)
            #expect(try await add(unknown.body).status == .notFound)
            // The hub keeps that cosignature when it names the witness, and serves it.
            try await Self.app(hub, key: hubKey, witnesses: [witnessVerifier]).test(.router) { hubClient in
                let cosigned = SignedNote(text: note.text, signatures: line.signatures)
                let kept = try await Self.call(
                    hubClient, uri: "/log/v1/cosignatures", method: .post, body: ByteBuffer(bytes: cosigned.bytes))
                #expect(kept.status == .ok)
                let served = try SignedNote(
                    parsing: Array(String(buffer: try await Self.call(hubClient, uri: "/log/v1/checkpoint", method: .get).body).utf8))
                #expect(WitnessPolicy(witnesses: [witnessVerifier], quorum: 1).refusal(served, now: Date()) == nil)
                let other = Witness.signer(SigningKey.fixed("unnamed")).signature(over: Array(note.text.utf8))
                let refused = try await Self.call(
                    hubClient, uri: "/log/v1/cosignatures", method: .post,
                    body: ByteBuffer(bytes: SignedNote(text: note.text, signatures: [other]).bytes))
                #expect(refused.status == .forbidden)
            }
        }
    }

    /// The Audit page says in words what the node's log and its evidence are, before any hash.
    @Test func theAuditPageSaysWhatIsKnown() async throws {
        let log = try Self.node()
        let note = try log.signCheckpoint(with: Self.key, interval: 0)
        let id = try log.recordEvidence(
            family: "accord/0123456789abcdef/fedcba9876543210", peer: "http://hub:8080", detail: "its tree went back", held: note,
            seen: note,
            proof: [])
        try await Self.app(log, key: Self.key).test(.router) { client in
            let page = String(buffer: try await Self.call(client, uri: "/audit", method: .get).body)
            #expect(
                page.contains("Epoch <strong>1</strong>") && page.contains("its tree went back") && page.contains("Undecided"), "\(page)")
            #expect(!page.contains("nil"))
        }
        try log.decideEvidence(id: id, trustSeen: false, by: "Ada Admin")
        try await Self.app(log, key: Self.key).test(.router) { client in
            let page = String(buffer: try await Self.call(client, uri: "/audit", method: .get).body)
            #expect(page.contains("keep the checkpoint held (Ada Admin)") && !page.contains("Undecided"), "\(page)")
        }
    }
}
