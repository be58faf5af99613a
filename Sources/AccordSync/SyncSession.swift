public import AccordCore
public import AccordStore
public import AsyncHTTPClient
public import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The end line of a pull page, set from the streaming ingest's intercept.
final class EndBox: Sendable {
    private let state = Mutex<(end: SyncProtocol.PageEnd?, bad: Bool)>((nil, false))

    func malformed() { state.withLock { $0.bad = true } }
    var isMalformed: Bool { state.withLock { $0.bad } }
    func set(_ e: SyncProtocol.PageEnd) { state.withLock { $0.end = e } }
    var value: SyncProtocol.PageEnd? { state.withLock { $0.end } }
}

/// One sync between this node's log and a peer over HTTP: pull (the events this node
/// lacks, in pages, ingested as they stream in), then push (the events the peer lacks).
/// Every request has a deadline, so a silent peer fails the sync instead of hanging it.
public struct SyncSession: Sendable {
    public let log: EventLog
    /// How requests reach the peer (HTTP in the product, memory in protocol tests).
    public let transport: any SyncTransport
    public var peer: String { transport.peer }
    public var pageEvents = SyncProtocol.defaultPageEvents
    public var pageBytes = SyncProtocol.defaultPageBytes
    public var timeout: TimeAmount = .seconds(60)
    /// The only dataset an empty node adopts (nil: its configured peer's).
    public var expectedDataset: String?
    /// Pull-and-push rounds one sync makes while bodies are still owed (1,000 a round).
    public static let maxRounds = 20
    /// Consecutive pages with `next` but nothing new this node takes before the pull stops.
    public static let maxBarrenPages = 3
    /// This node's key: with one, it witnesses the peer's log it verified (co-signs the
    /// checkpoint held at the end of the sync, and gives the peer the cosignature).
    public var witnessKey: SigningKey?
    /// The witnesses this node requires on the peer's checkpoints (nil: none).
    public var witnessPolicy: WitnessPolicy?
    /// Called after each ingested batch of a pull (tests use it to interrupt a transfer).
    public var onBatch: (@Sendable (Int) async -> Void)?

    public init(log: EventLog, peer: String, http: HTTPClient) {
        self.init(log: log, transport: HTTPSyncTransport(peer: peer, http: http))
    }

    public init(log: EventLog, transport: any SyncTransport) {
        self.log = log
        self.transport = transport
    }

    /// An HTTP client with connect and read timeouts; shut it down when done. `https://`
    /// peers are verified against the system's trust roots, or against the CA certificates
    /// in the PEM file `$ACCORD_CA_FILE` when it is set (a team's own CA).
    public static func makeClient(caFile: String? = ProcessInfo.processInfo.environment["ACCORD_CA_FILE"]) -> HTTPClient {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(5), read: .seconds(30))
        // A peer's redirect is not followed: the request (dataset, version vector, heads,
        // events) would go to an origin nobody configured. A 3xx is an error naming it.
        config.redirectConfiguration = .disallow
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile, !caFile.isEmpty { tls.trustRoots = .file(caFile) }
        config.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Pull then push, in rounds, as `SyncClient` says. Failures are thrown after everything
    /// that arrived whole was kept. A sync that ends with refusals, a fork or the nodes still
    /// apart returns a report whose `problem` says so.
    public func sync(push: Bool = true) async throws -> SyncReport {
        var report = SyncReport(peer: peer)
        let start = DispatchTime.now().uptimeNanoseconds
        let conflictsBefore = try await BlockingWork.run { [log] in try Curation(log: log).conflicts().count }
        defer { report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        // The peer's log first: a history rewritten since the last sync ends it before anything moves.
        let logBefore = try await PeerLogCheck.run(log: log, transport: transport, policy: witnessPolicy, timeout: timeout)
        report.peerLog = logBefore?.summary
        var client = SyncClient(peer: peer, push: push, maxRounds: Self.maxRounds, maxBarrenPages: Self.maxBarrenPages)
        var mine = VersionVector()
        var peerVector: VersionVector?
        var step = client.start
        while step != .finish {
            switch step {
            case .beginRound:
                let (owed, forks) = try await owedAndForks()
                step = client.began(owed: owed, forks: forks)
            case .pull(let after, let first):
                let (end, took) = try await pullPage(after: after, first: first, &report)
                peerVector = end.vector
                step = try client.pulled(end, took: took)
                // The round's pull is done: what this node holds now should all reach the peer
                // (edits made here during the push are left to the next sync).
                if case .pull = step {} else { mine = try await BlockingWork.run { [log] in try log.versionVector() } }
            case .push(let end):
                let (vector, sent) = try await self.push(against: end, &report)
                peerVector = vector ?? end.vector
                step = client.pushed(sent: sent)
            case .endRound:
                let (owed, forks) = try await owedAndForks()
                step = client.ended(owed: owed, forks: forks)
            case .finish:
                break
            }
        }
        try await judge(&report, end: client.lastEnd, mine: mine, peerVector: peerVector, push: push, conflictsBefore: conflictsBefore)
        // And again at the end: the checkpoint this node holds for the next sync.
        let logAfter = try await PeerLogCheck.run(log: log, transport: transport, policy: witnessPolicy, timeout: timeout)
        if let witnessKey, let held = logAfter?.note {
            report.witnessed = await PeerLogCheck.cosign(held, key: witnessKey, transport: transport, timeout: timeout)
        }
        switch (logBefore?.verdict, logAfter?.verdict) {
        case (.newEpoch?, _), (_, .unchanged?), (_, nil): break
        default: report.peerLog = logAfter?.summary
        }
        report.judge()
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return report
    }

    /// What the sync came to: bodies still owed, new conflicts, whether the nodes hold the
    /// same (vectors as far as nodes agree, then digests) and any forked keys.
    func judge(
        _ report: inout SyncReport, end: SyncProtocol.PageEnd?, mine: VersionVector, peerVector: VersionVector?, push: Bool,
        conflictsBefore: Int
    ) async throws {
        let (conflicts, forked, owed) = try await BlockingWork.run { [log] in
            (try Curation(log: log).conflicts().count, try log.forkedAuthors(), try log.pendingBodyCount())
        }
        report.bodiesOwed = owed
        report.newConflicts = max(0, conflicts - conflictsBefore)
        if let end, let peerVector {
            // Each side holds what the other offered: the peer's vector at the end of the pull
            // is within this node's, and (after a push) this node's is within the peer's, as
            // far as two nodes are expected to agree (`VersionVector.shared`).
            let (apart, membership, evidence) = try await BlockingWork.run { [log] in
                (
                    try log.divergedAuthors(vector: end.vector, heads: end.heads).union(end.unshared), try log.membership(),
                    try log.forkedAuthors()
                )
            }
            func shared(_ v: VersionVector) -> VersionVector { v.shared(apart: apart, forked: evidence, membership: membership) }
            report.inSync = !shared(end.vector).isAhead(of: shared(mine)) && (!push || !shared(mine).isAhead(of: shared(peerVector)))
        }
        // Equal vectors must mean equal records: compare the digests (a peer too old to
        // answer its digest is judged by its vector alone).
        if report.inSync {
            report.digest = try await BlockingWork.run { [log] in try Curation(log: log).digest() }
            report.peerDigest = await peerDigest()
        }
        let equivocation = EventRejection.Code.equivocation.rawValue
        if report.rejectedReceivedByCode[equivocation, default: 0] + report.rejectedSentByCode[equivocation, default: 0] > 0 {
            report.forkedKeys = forked.sorted()
        }
    }

    /// The peer's records digest, or nil when it gives none.
    func peerDigest() async -> String? { await transport.digest(timeout: timeout) }

    /// What this node is owed (at most `maxBodiesAsked`) and its fork points.
    func owedAndForks() async throws -> (Set<String>, [String: Int]) {
        try await BlockingWork.run { [log] in (Set(try log.pendingBodyIDs(limit: SyncProtocol.maxBodiesAsked)), try log.forkPoints()) }
    }

    /// Pulls the page from `after`, ingesting it as it streams in; returns its end line and
    /// how many of its events were new to this node.
    func pullPage(after: Int64, first: Bool, _ report: inout SyncReport) async throws -> (SyncProtocol.PageEnd, took: Int) {
        let (held, mine, owed, forkPoints) = try await BlockingWork.run { [log] in
            (
                try log.datasetID(), try log.vectorAndHeads(), first ? try log.pendingBodyIDs(limit: SyncProtocol.maxBodiesAsked) : [],
                first ? try log.forkPoints() : [:]
            )
        }
        let (vector, heads) = (mine.vector, mine.heads)
        // An empty node asks for the dataset it may adopt; a peer of another refuses (409).
        let dataset = held ?? expectedDataset
        var pullRequest = SyncProtocol.PullRequest(
            dataset: dataset, vector: vector, heads: heads, after: after, maxEvents: pageEvents, maxBytes: pageBytes)
        pullRequest.bodies = owed
        pullRequest.forks = forkPoints.filter { vector[$0.key] >= $0.value }
        let body = WireJSON.encode(pullRequest)
        report.roundTrips += 1
        report.bytesSent += body.count
        // Lines go to the ingest pipeline as they stream in (signatures are checked on
        // every core while earlier batches are appended), in bounded memory: a line
        // longer than an event may be is refused without being buffered.
        let endBox = EndBox()
        let pageStart = ContinuousClock.now
        let pageDeadline = Duration.nanoseconds(timeout.nanoseconds)
        var received = 0
        let (page, stopped) = try await StreamingIngest.run(
            log: log, intercept: { line in Self.intercept(line, endBox) }, onFlush: onBatch
        ) { stream in
            try await transport.pull(body, dataset: dataset, timeout: timeout) { bytes in
                received += bytes.count
                await stream.feed(bytes)
                // A page has a total deadline (a trickling peer resets read timeouts), and a
                // peer that sends a line longer than any event is cut off, not read on.
                if ContinuousClock.now - pageStart > pageDeadline {
                    throw SyncError("\(peer) timed out: a page took longer than \(pageDeadline) to arrive")
                }
                if stream.current.rejectedByCode[EventRejection.Code.tooLarge.rawValue, default: 0] > 0 {
                    throw SyncError("\(peer) sent a line longer than any event may be; stopped reading it")
                }
            }
        }
        // Every event that arrived whole is kept, however the page ended; the next sync
        // resumes from the vector.
        report.bytesReceived += received
        report.eventsReceived += page.summary.accepted + page.summary.invalid
        report.rejectedReceived += page.summary.rejected
        report.rejectedReceivedByCode.merge(page.rejectedByCode, uniquingKeysWith: +)
        for e in page.rejections where report.refusals.count < SyncReport.maxExamples {
            report.refusals.append("received \(e.code): \(e.reason)")
        }
        if let stopped { throw stopped as? SyncError ?? SyncError("\(peer): \(stopped)") }
        if endBox.isMalformed {
            throw SyncError("\(peer) sent a page end this node cannot read: is it an Accord node speaking sync protocol v1?")
        }
        guard let end = endBox.value else {
            throw SyncError("\(peer) ended the transfer early; the events that arrived were kept, sync again to resume")
        }
        if let mine = try await BlockingWork.run({ [log] in try log.datasetID() }), let theirs = end.dataset, theirs != mine {
            throw SyncError("\(peer) answered for dataset \(theirs), this node holds \(mine); no events were pushed")
        }
        return (end, page.summary.accepted + page.summary.invalid)
    }

    /// Pushes what the peer lacks, in pages, in this node's log order; the first page starts
    /// with this node's side of any fork the peer's heads show. Returns the peer's vector
    /// after the last push (nil when nothing was pushed) and how many events it took.
    func push(against end: SyncProtocol.PageEnd, _ report: inout SyncReport) async throws -> (VersionVector?, sent: Int) {
        var after: Int64 = 0
        // First: this node's side of any fork, and the bodies the peer is owed that this node holds.
        var extras = try await BlockingWork.run { [log] in
            try log.contradicting(vector: end.vector, heads: end.heads, forks: end.forks) + log.events(ids: end.bodies)
        }
        var peerVector: VersionVector?
        var sent = 0
        while true {
            let from = after
            let (page, next) = try await BlockingWork.run { [log, pageEvents, pageBytes] in
                try log.missing(for: end.vector, heads: end.heads, after: from, maxEvents: pageEvents, maxBytes: pageBytes)
            }
            let events = extras + page
            extras = []
            if events.isEmpty { return (peerVector, sent) }
            var body: [UInt8] = []
            for e in events {
                body += e.wireLine
                body.append(0x0A)
            }
            report.roundTrips += 1
            report.bytesSent += body.count
            let text = try await transport.push(body, dataset: end.dataset, timeout: timeout)
            report.bytesReceived += text.count
            guard let result = try? JSONDecoder().decode(SyncProtocol.PushResult.self, from: Data(text)) else {
                throw SyncError("\(peer) answered the push with something that is not a push result; is it an Accord node?")
            }
            report.eventsSent += result.accepted + result.invalid
            sent += result.accepted + result.invalid
            report.rejectedSent += result.rejected
            for (code, n) in result.rejectedByCode { report.rejectedSentByCode[code, default: 0] += n }
            for r in result.rejections where report.refusals.count < SyncReport.maxExamples {
                report.refusals.append(TerminalText.oneLine("sent \(r.code): \(r.reason)"))
            }
            if !result.vector.isEmpty, let vector = try? VersionVector(json: .object(result.vector.mapValues { .int($0) })) {
                peerVector = vector
            }
            guard let next else { return (peerVector, sent) }
            after = next
        }
    }

    /// Takes a pull's end line out of the stream of events (into `box`).
    static func intercept(_ line: [UInt8], _ box: EndBox) -> Bool {
        guard line.first == UInt8(ascii: "{"),
            line.starts(with: Array("{\"dataset\"".utf8)) || line.starts(with: Array("{\"end\"".utf8))
        else { return false }
        if let e = try? WireJSON.decode(SyncProtocol.PageEnd.self, from: line) {
            box.set(e)
        } else {
            box.malformed()
        }
        return true
    }
}
