import AccordCore
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/sync/v1`: the merge protocol (Docs/protocol.md, section 5).
extension NodeHandlers {
    /// Refuses (409) a request for another dataset than this node's; returns this node's.
    @discardableResult
    func checkDataset(_ request: Request, _ claimed: String?) async throws -> String? {
        let mine = try await log.readDatasetID()
        let header = request.headers[HTTPField.Name(SyncProtocol.datasetHeader)!]
        for c in [claimed, header].compactMap({ $0 }) where mine != nil && c != mine {
            throw Problem(
                .conflict, "Another dataset",
                "this node holds dataset \(mine!), the request is for dataset \(c); no events were exchanged")
        }
        return mine
    }

    func addSync(to router: NodeRoutes) {
        router.get(RouterPath(SyncProtocol.infoPath)) { _, _ -> Response in
            let (dataset, name, vector, events) = try await blocking { [log] in
                (try log.datasetID(), try log.datasetName(), try log.versionVector(), try log.eventCount())
            }
            return Self.json([
                "protocol": 1, "dataset": dataset.map { .string($0) } ?? .null, "name": name.map { .string($0) } ?? .null,
                "vector": vector.json, "events": .int(events),
            ])
        }

        router.post(RouterPath(SyncProtocol.pullPath)) { request, context -> Response in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: 4 << 20)
            } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
                throw Problem(.contentTooLarge, "Pull request too large", "a pull request is at most 4 MiB")
            } catch {
                throw Problem(.badRequest, "Body unreadable", "the request body could not be read to its end: \(error)")
            }
            let pull: SyncProtocol.PullRequest
            do {
                pull = try SyncProtocol.PullRequest(json: try JSONParser.parse([UInt8](body.readableBytesView)))
            } catch let e as JSONParseError {
                throw Problem.badRequest("pull request: \(e.description)")
            } catch let e as DomainError {
                throw Problem.badRequest("pull request: \(e.message)")
            }
            try await checkDataset(request, pull.dataset)
            let (events, next) = try await blocking { [log] in
                // The first page starts with what shows the client a fork of one of its keys.
                let forks = pull.after == 0 ? try log.contradicting(vector: pull.vector, heads: pull.heads, forks: pull.forks) : []
                // ... and the bodies the client is owed (events it holds without one).
                let owed = pull.after == 0 ? try log.events(ids: pull.bodies) : []
                let page = try log.missing(
                    for: pull.vector, heads: pull.heads, after: pull.after, maxEvents: pull.maxEvents, maxBytes: pull.maxBytes)
                return (forks + owed + page.events, page.next)
            }
            let (dataset, mine, owed, unshared, forkPoints) = try await blocking { [log] in
                (
                    try log.datasetID(), next == nil ? try log.vectorAndHeads() : (vector: try log.versionVector(), heads: [:]),
                    next == nil ? try log.pendingBodyIDs(limit: SyncProtocol.maxBodiesAsked) : [],
                    next == nil ? try log.divergedAuthors(vector: pull.vector, heads: pull.heads) : [],
                    next == nil ? try log.forkPoints() : [:]
                )
            }
            var pageEnd = SyncProtocol.PageEnd(next: next, events: events.count, dataset: dataset, vector: mine.vector, heads: mine.heads)
            pageEnd.bodies = owed
            pageEnd.unshared = unshared.sorted()
            pageEnd.forks = forkPoints.filter { mine.vector[$0.key] >= $0.value }
            let end = pageEnd
            metrics.add(eventsSent: events.count)
            var headers = HTTPFields()
            headers[.contentType] = "application/x-ndjson"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(1 << 18)
                    for e in events {
                        buffer.writeBytes(e.wireLine)
                        buffer.writeInteger(UInt8(0x0A))
                        if buffer.readableBytes >= 1 << 18 {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    buffer.writeBytes(end.json.canonicalBytes)
                    buffer.writeInteger(UInt8(0x0A))
                    try await writer.write(buffer)
                    try await writer.finish(nil)
                })
        }

        router.post(RouterPath(SyncProtocol.pushPath)) { request, context -> Response in
            // Peers are programs: a page in a curator's browser may not push to the node on their laptop.
            if let why = crossSiteBrowser(request) { throw Problem(.forbidden, "Cross-site request", why) }
            try Self.refuseFormContent(request)
            try Self.refuseDeclaredSize(
                request, limit: SyncProtocol.maxPushBytes, "Push too large",
                "a push body is at most \(SyncProtocol.maxPushBytes) bytes; send smaller pages")
            guard try await checkDataset(request, nil) != nil else {
                throw Problem(
                    .conflict, "No dataset yet",
                    "this node holds no dataset yet: it adopts the dataset of its configured peers on its first sync, and takes pushes after that"
                )
            }
            try pushes.enterOrRefuse("Too many pushes", "this node runs \(pushes.limit) pushes at a time; retry in a second")
            defer { pushes.leave() }
            // The body streams into the ingest pipeline: memory stays bounded whatever its size.
            let stream = StreamingIngest(log: log)
            var received = 0
            // A push holds one of the few push slots: it gets a total time and must keep up a
            // minimum rate, so a trickling stranger cannot keep members' pushes out.
            let start = ContinuousClock.now
            var tooSlow: String?
            var mostlyRefused = false
            do {
                for try await chunk in request.body {
                    received += chunk.readableBytes
                    if received > SyncProtocol.maxPushBytes { break }
                    await stream.feed(chunk.readableBytesView)
                    // Lines refused for free must not buy a slot: a push that is mostly
                    // refusals ends, whatever its pace.
                    if Self.mostlyRefused(stream.current.summary) {
                        mostlyRefused = true
                        break
                    }
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    if elapsed > Self.maxPushDuration {
                        tooSlow = "a push may take at most \(Self.maxPushDuration)"
                        break
                    }
                    if seconds > 10, Double(received) / seconds < Double(Self.minPushBytesPerSecond) {
                        tooSlow = "a push must send at least \(Self.minPushBytesPerSecond / 1024) KiB/s after its first 10 s"
                        break
                    }
                }
            } catch {
                _ = try? await stream.finish()
                throw Problem(.badRequest, "Push interrupted", "the push body could not be read to its end: \(error)")
            }
            let result = try await stream.finish()
            if mostlyRefused || Self.mostlyRefused(result.summary) {
                throw Problem(
                    .unprocessableContent, "Push mostly refused",
                    "\(result.summary.rejected) lines of this push were refused and \(result.summary.accepted + result.summary.duplicate + result.summary.invalid) taken; a push whose lines are mostly refused ends, so that it holds no push slot (first refusal: \(result.rejections.first?.reason ?? "-"))"
                )
            }
            if let tooSlow {
                throw Problem(
                    .requestTimeout, "Push too slow",
                    "\(tooSlow); the events before it were taken (\(result.summary.accepted) accepted); send smaller pages")
            }
            if received > SyncProtocol.maxPushBytes {
                throw Problem(
                    .contentTooLarge, "Push too large",
                    "a push body is at most \(SyncProtocol.maxPushBytes) bytes; the events before the limit were taken (\(result.summary.accepted) accepted); send smaller pages"
                )
            }
            let vector = try await blocking { [log] in try log.versionVector() }
            metrics.add(eventsReceived: result.summary.accepted)
            return try Self.json(encoding: PushResult(result, vector: vector))
        }
    }
}

extension NodeHandlers {
    /// Refused lines a push may send before its refusals are weighed against what it brings.
    static let refusalsAllowedPerPush = 4096

    /// More than `refusalsAllowedPerPush` refused lines, and more than four for every line
    /// taken (accepted, duplicate or stored without effect): an honest peer's pushes are
    /// events this node can place, and refuses few.
    static func mostlyRefused(_ s: IngestSummary) -> Bool {
        s.rejected > refusalsAllowedPerPush && s.rejected > 4 * (s.accepted + s.duplicate + s.invalid)
    }

    /// The longest a push may hold a push slot.
    static let maxPushDuration = Duration.seconds(120)
    /// The slowest a push may send once it has run 10 s.
    static let minPushBytesPerSecond = 16 * 1024
}

/// The answer to a push: counts, refusals by reason, the first rejections with their
/// line and reason, and the node's version vector after the push.
struct PushResult: Encodable {
    let accepted: Int
    let invalid: Int
    let duplicate: Int
    let rejected: Int
    let rejectedByCode: [String: Int]
    let rejections: [NDJSONImport.Rejection]
    /// Events stored as evidence without effect (e.g. signed beyond a revocation), with why.
    let invalidEvents: [NDJSONImport.Rejection]
    let vector: [String: Int]

    init(_ r: StreamingIngest.Result, vector: VersionVector) {
        accepted = r.summary.accepted
        invalid = r.summary.invalid
        duplicate = r.summary.duplicate
        rejected = r.summary.rejected
        rejectedByCode = r.rejectedByCode
        rejections = r.rejections
        invalidEvents = r.invalid
        self.vector = vector.heads
    }
}
