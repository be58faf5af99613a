import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AccordTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

/// A peer that serves forged and equivocating events: they are rejected and recorded,
/// and the honest events of the same page still land.
@Suite struct MaliciousPeerTests {
    /// Runs a hand-written peer on an ephemeral loopback port.
    static func serve(_ router: Router<BasicRequestContext>) async -> (Int, Task<Void, any Error>) {
        let (stream, cont) = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "fake-peer")
        quiet.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { cont.yield($0.localAddress!.port!) }, logger: quiet)
        let task = Task { try await app.run() }
        for await port in stream { return (port, task) }
        return (0, task)
    }

    /// Runs `body` with a session against a hand-written peer serving `router`; stops the
    /// peer and the client afterwards, also when `body` fails.
    static func against(
        _ router: Router<BasicRequestContext>, log: EventLog, timeout: TimeAmount = .seconds(60),
        _ body: (SyncSession) async throws -> Void
    ) async throws {
        let (port, task) = await serve(router)
        let http = SyncSession.makeClient()
        var session = SyncSession(log: log, peer: "http://127.0.0.1:\(port)", http: http)
        session.timeout = timeout
        var failure: (any Error)?
        do {
            try await body(session)
        } catch {
            failure = error
        }
        task.cancel()
        _ = await task.result
        try await http.shutdown()
        if let failure { throw failure }
    }

    @Test func badSignaturesAndForksAreRejectedAndHonestEventsLand() async throws {
        let dir = TempDir()
        let admin = SigningKey.fixed("malicious-admin")
        let honest = try Seed.hub(dir, key: admin)
        let victim = try TestNode(name: "victim", dir: dir.path, key: SigningKey.fixed("victim"))
        _ = try victim.log.ingest(lines: honest.lines())
        // New honest events the victim lacks.
        let s = try ResolutionSymbol(parsing: "A/RES/71/19")
        _ = try honest.curation.author([.topicsAdded(s, ["honest"])], key: admin)
        let honestLines = try honest.lines()
        let fresh = Array(honestLines.suffix(1))
        // A forged event: a real envelope with mallory's signature.
        let mallory = SigningKey.fixed("mallory")
        let real = try WireFormat.verify(line: fresh[0]).get()
        let forged = WireFormat.line(
            envelope: real.envelopeBytes, signature: Base64URL.encode(mallory.sign(real.envelopeBytes)), body: real.bodyBytes)
        // An equivocation: the admin's key signs a second event with the seq the victim already holds.
        let vector = try victim.log.versionVector()
        let held = vector[admin.author.text]
        let lastHeld = try WireFormat.verify(line: honestLines[held - 1]).get()
        let twin = UnsignedEvent(
            draft: DomainEvent.topicsAdded(s, ["twin"]).draft, dataset: try honest.log.datasetID(), author: admin.author, seq: held,
            prev: lastHeld.envelope.prev, time: lastHeld.envelope.time
        ).signed(by: admin).wireLine
        var page: [UInt8] = []
        for l in [forged, twin] + fresh { page += l + [0x0A] }
        let end = SyncProtocol.PageEnd(next: nil, events: 3, dataset: try honest.log.datasetID(), vector: try honest.log.versionVector())
        page += WireJSON.encode(end) + [0x0A]
        // The malicious peer: answers every pull with that page.
        let router = Router()
        let body = page
        router.post(RouterPath(SyncProtocol.pullPath)) { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let (port, task) = await Self.serve(router)
        try await withSyncClient { http in
            let report = try await SyncSession(log: victim.log, peer: "http://127.0.0.1:\(port)", http: http).sync(push: false)
            #expect(report.eventsReceived == 1)
            #expect(report.rejectedReceived == 2)
            let forks = try victim.log.forks()
            #expect(forks.count == 1 && forks[0].author == admin.author.text && forks[0].seq == held)
            // The key forked at `held`: from there on nothing it signed counts (`ForkRule`),
            // on either branch; the event after the fork is stored, as invalid.
            #expect(try victim.curation.state(s)?.topics.contains("honest") == false)
            #expect(try victim.curation.state(s)?.topics.contains("twin") == false)
            #expect(try victim.log.invalidReason(try WireFormat.verify(line: fresh[0]).get().id)?.contains("signed two events") == true)
            #expect(try victim.log.verify().isClean)
            task.cancel()
            _ = await task.result
        }
    }

    @Test func aSilentPeerTimesOutInsteadOfHanging() async throws {
        let dir = TempDir()
        let node = try Seed.hub(dir, key: SigningKey.fixed("silent-test"))
        let count = try node.log.eventCount()
        let router = Router()
        router.post(RouterPath(SyncProtocol.pullPath)) { _, _ -> Response in
            try await Task.sleep(for: .seconds(20))
            return Response(status: .ok)
        }
        try await Self.against(router, log: node.log, timeout: .seconds(1)) { session in
            await #expect {
                _ = try await session.sync()
            } throws: { e in
                "\(e)".contains("timed out")
            }
        }
        #expect(try node.log.eventCount() == count)
    }

    @Test func aPeerThatNeverEndsALineIsCutOffWithoutBeingBuffered() async throws {
        let dir = TempDir()
        let node = try Seed.hub(dir, key: SigningKey.fixed("long-line-test"))
        let count = try node.log.eventCount()
        // 24 MiB without a newline: the client refuses the line once it passes the event size
        // limit and stops reading, instead of buffering it.
        let router = Router()
        router.post(RouterPath(SyncProtocol.pullPath)) { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
                    for _ in 0..<24 { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
        }
        try await Self.against(router, log: node.log) { session in
            await #expect {
                _ = try await session.sync()
            } throws: { e in
                "\(e)".contains("sent a line longer than any event may be")
            }
        }
        #expect(try node.log.eventCount() == count)
    }

    @Test func aPeerThatAlwaysSaysMoreIsCutOff() async throws {
        let dir = TempDir()
        let node = try Seed.hub(dir, key: SigningKey.fixed("endless-pages-test"))
        let dataset = try node.log.datasetID()
        let vector = try node.log.versionVector()
        let pulls = Counter()
        // Every page is empty and names a next page further on.
        let router = Router()
        router.post(RouterPath(SyncProtocol.pullPath)) { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let pull = try WireJSON.decode(SyncProtocol.PullRequest.self, from: [UInt8](body.readableBytesView))
            pulls.add()
            let end = SyncProtocol.PageEnd(next: pull.after + 1, events: 0, dataset: dataset, vector: vector)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: WireJSON.encode(end) + [0x0A])))
        }
        try await Self.against(router, log: node.log) { session in
            await #expect {
                _ = try await session.sync()
            } throws: { e in
                "\(e)".contains("kept sending pages with nothing this node takes")
            }
            #expect(pulls.value == SyncSession.maxBarrenPages)
        }
    }
}

extension MaliciousPeerTests {
    @Test func aTricklingPeerMeetsThePageDeadline() async throws {
        let dir = TempDir()
        let node = try Seed.hub(dir, key: SigningKey.fixed("trickle-test"))
        // One byte every 100 ms keeps resetting read timeouts; the page deadline still ends it.
        let router = Router()
        router.post(RouterPath(SyncProtocol.pullPath)) { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<600 {
                        try await writer.write(ByteBuffer(bytes: [UInt8(ascii: " ")]))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await writer.finish(nil)
                })
        }
        try await Self.against(router, log: node.log, timeout: .seconds(2)) { session in
            let start = ContinuousClock.now
            await #expect {
                _ = try await session.sync()
            } throws: { e in
                "\(e)".contains("timed out")
            }
            #expect(ContinuousClock.now - start < .seconds(30))
        }
    }

    @Test func moreThanAThousandOwedBodiesHealInOneSync() async throws {
        let dir = TempDir()
        let admin = SigningKey.fixed("owed-admin")
        let hub = try Seed.hub(dir, key: admin)
        let before = try hub.lines().count
        _ = try hub.log.author(
            (0..<1_500).map { EventDraft(type: "bench.note", subject: "A/RES/71/19", body: ["n": .int($0)]) }, key: admin)
        let lines = try hub.lines()
        // The victim holds the first part whole and the 1,500 notes without their bodies.
        let victim = try TestNode(name: "victim", dir: dir.path, key: SigningKey.fixed("owed-victim"))
        let stripped = try lines.dropFirst(before).map { line -> [UInt8] in
            let e = try WireFormat.verify(line: line).get()
            return WireFormat.line(envelope: e.envelopeBytes, signature: e.signature, body: nil)
        }
        _ = try victim.log.ingest(lines: Array(lines.prefix(before)) + stripped)
        #expect(try victim.log.pendingBodyIDs().count == 1_500)
        try await hub.start()
        try await withSyncClient { http in
            let report = try await victim.sync(with: hub, http: http)
            #expect(report.problem == nil, "\(report)")
            #expect(try victim.log.pendingBodyIDs().isEmpty)
            #expect(try victim.log.verify().isClean)
            await hub.stop()
        }
    }

    /// A revoked admin's redaction reaches a replica before the revocation does: the replica
    /// erases the body, the hub (which knew) keeps it. One sync of the replica with the hub
    /// brings the revocation, voids the redaction there and fetches the body again: the two
    /// agree, and the sync says nothing is wrong.
    @Test func aRevokedAdminsRedactionIsHealedByOneSync() async throws {
        let dir = TempDir()
        let admin = SigningKey.fixed("heal-admin")
        let mallory = SigningKey.fixed("heal-mallory")
        let hub = try Seed.hub(dir, key: admin)
        _ = try hub.curation.authorize([.granted(key: mallory.author, role: .admin, name: "Mallory")], key: admin)
        let s = try hub.curation.existing("A/RES/72/1")
        let note = try hub.curation.set(s, .notes, "Call the duty officer on +41 79 555 01 23", key: admin)!
        let replica = try TestNode(name: "replica", dir: dir.path, key: SigningKey.fixed("heal-replica"))
        _ = try replica.log.ingest(lines: hub.lines())
        try hub.curation.revoke(mallory.author, validThrough: 0, key: admin)
        let redaction = UnsignedEvent(
            draft: AuthorizationEvent.redacted(target: note, reason: "erase it").draft, dataset: try hub.log.datasetID()!,
            author: mallory.author, seq: 1, prev: nil, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: mallory)
        #expect(try replica.log.ingest(lines: [redaction.wireLine])[0].isAccepted)
        #expect(try replica.curation.state(s)?.value(.notes) != hub.curation.state(s)?.value(.notes))
        try await hub.start()
        try await withSyncClient { http in
            let report = try await replica.sync(with: hub, http: http)
            #expect(report.problem == nil, "\(report)")
            #expect(try replica.log.pendingBodyIDs().isEmpty)
            #expect(try replica.curation.state(s)?.value(.notes) == hub.curation.state(s)?.value(.notes))
            #expect(try replica.curation.digest() == hub.curation.digest())
            #expect(try replica.log.verify().isClean)
            await hub.stop()
        }
        // Had no peer sent the body, the sync would have said so (without failing: an event
        // pushed without its body may be owed for good).
        var owed = SyncReport(peer: hub.url)
        owed.bodiesOwed = 1
        owed.judge()
        #expect(owed.problem == nil && owed.summary.contains("1 event bodies still owed"))
    }

    /// A hub whose editor `rogue` has signed two notes on the record the tests use.
    static func hubWithRogue(
        _ dir: TempDir, _ name: String
    ) throws -> (hub: TestNode, admin: SigningKey, rogue: SigningKey, s: ResolutionSymbol) {
        let admin = SigningKey.fixed("\(name)-admin")
        let rogue = SigningKey.fixed("\(name)-rogue")
        let hub = try Seed.hub(dir, key: admin, curators: [rogue])
        let s = try hub.curation.existing("A/RES/72/1")
        try hub.curation.set(s, .notes, "rogue 1", key: rogue)
        try hub.curation.set(s, .notes, "rogue 2", key: rogue)
        return (hub, admin, rogue, s)
    }

    /// `count` notes signed by `key` after its head on `hub`: a branch of its chain that may
    /// differ from one signed elsewhere (`tag` makes each branch's events its own).
    static func branch(_ tag: String, _ count: Int, key: SigningKey, on hub: TestNode, _ s: ResolutionSymbol) throws -> [[UInt8]] {
        let dataset = try #require(try hub.log.datasetID())
        let head = try #require(try hub.log.chainHead(author: key.author.text))
        var prev = head.id
        return (0..<count).map { k in
            let e = UnsignedEvent(
                draft: DomainEvent.fieldSet(s, field: .notes, value: .string("\(tag) \(k)"), base: []).draft, dataset: dataset,
                author: key.author, seq: head.seq + 1 + k, prev: prev, time: HLCTime(millis: HybridLogicalClock.wallMillis())
            ).signed(by: key)
            prev = e.id
            return e.wireLine
        }
    }

    /// A revoked key signs one event at its next seq for the replica and another, plus a
    /// stream of successors, for the hub: both store them as invalid. The hub must not send
    /// the replica pages of that branch at every sync (the replica would refuse them all and
    /// give up after a few such pages, never reaching the admin's later edit), nor evidence
    /// the replica refuses: one sync delivers the edit and reports nothing wrong.
    @Test func aRevokedKeysForkedBranchDoesNotCutAReplicaOff() async throws {
        let dir = TempDir()
        let (hub, admin, rogue, s) = try Self.hubWithRogue(dir, "branch")
        try hub.curation.revoke(rogue.author, key: admin)
        let replica = try TestNode(name: "replica", dir: dir.path, key: SigningKey.fixed("branch-replica"))
        _ = try replica.log.ingest(lines: hub.lines())
        let onReplica = try Self.branch("replica", 1, key: rogue, on: hub, s)
        let onHub = try Self.branch("hub", 30, key: rogue, on: hub, s)
        #expect(try replica.log.ingest(lines: onReplica).allSatisfy { if case .invalid = $0 { true } else { false } })
        try hub.curation.set(s, .summary, "Set by the admin before the branch", key: admin)
        // The hub keeps the first 16 past the cut-off as invalid evidence and refuses the rest.
        let taken = try hub.log.ingest(lines: onHub)
        #expect(taken.prefix(16).allSatisfy { if case .invalid = $0 { true } else { false } })
        #expect(taken.dropFirst(16).allSatisfy { if case .rejected(let r) = $0 { r.code == .unauthorized } else { false } })
        try hub.curation.set(s, .title, "Set by the admin after the branch", key: admin)
        try await hub.start()
        try await withSyncClient { http in
            var session = SyncSession(log: replica.log, peer: hub.url, http: http)
            session.pageEvents = 5
            let report = try await session.sync()
            #expect(report.problem == nil, "\(report)")
            #expect(try replica.curation.state(s)?.value(.title) == "Set by the admin after the branch")
            #expect(try replica.curation.state(s)?.value(.summary) == "Set by the admin before the branch")
            #expect(try replica.curation.digest() == hub.curation.digest())
            // And again: nothing is sent either way.
            let again = try await session.sync()
            #expect(again.problem == nil && again.eventsReceived == 0 && again.eventsSent == 0, "\(again)")
            await hub.stop()
        }
    }

    /// A member's key signs one branch for the hub and another for the replica from seq 3,
    /// and is then revoked through seq 4: the branches differ at seqs that count. The sync
    /// must not leave the key out silently: it shows the fork (the hub's event at the
    /// cut-off is evidence the replica keeps) and reports it.
    @Test func aForkBeforeARevocationsCutOffIsReportedNotHidden() async throws {
        let dir = TempDir()
        let (hub, admin, rogue, s) = try Self.hubWithRogue(dir, "cut")
        let replica = try TestNode(name: "replica", dir: dir.path, key: SigningKey.fixed("cut-replica"))
        _ = try replica.log.ingest(lines: hub.lines())
        let head = try #require(try hub.log.chainHead(author: rogue.author.text))
        let onReplica = try Self.branch("replica", 4, key: rogue, on: hub, s)
        #expect(try hub.log.ingest(lines: Self.branch("hub", 4, key: rogue, on: hub, s)).allSatisfy(\.isAccepted))
        #expect(try replica.log.ingest(lines: onReplica).allSatisfy(\.isAccepted))
        try hub.curation.revoke(rogue.author, validThrough: head.seq + 2, key: admin)
        try await hub.start()
        try await withSyncClient { http in
            let report = try await replica.sync(with: hub, http: http)
            #expect(report.problem?.contains("fork") == true, "\(report)")
            #expect(try replica.log.forkedAuthors() == [rogue.author.text])
            await hub.stop()
        }
    }
}

/// A thread-safe count for handlers.
final class Counter: Sendable {
    private let n = Mutex(0)

    func add() { n.withLock { $0 += 1 } }
    var value: Int { n.withLock { $0 } }
}
