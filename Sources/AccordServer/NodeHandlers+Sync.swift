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
        if let why = SyncServer.otherDataset(mine: mine, claimed: [claimed, header]) { throw Problem(.conflict, "Another dataset", why) }
        return mine
    }

    /// Sync protocol v1: info, pull and push (Docs/protocol.md).
    var syncRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.get(RouterPath(SyncProtocol.infoPath)) { _, _ -> Response in try await info() }
        router.post(RouterPath(SyncProtocol.pullPath)) { request, _ -> Response in try await pull(request) }
        router.post(RouterPath(SyncProtocol.pushPath)) { request, _ -> Response in try await push(request) }
        return router
    }

    func info() async throws -> Response {
        let (dataset, name, vector, events) = try await blocking { [log] in
            (try log.datasetID(), try log.datasetName(), try log.versionVector(), try log.eventCount())
        }
        return Self.json([
            "protocol": 1, "dataset": dataset.map { .string($0) } ?? .null, "name": name.map { .string($0) } ?? .null,
            "vector": vector.json, "events": .int(events),
        ])
    }

    /// A page of what the client lacks, streamed as NDJSON, then its end line.
    func pull(_ request: Request) async throws -> Response {
        let body = try await Self.collect(request, upTo: 4 << 20, tooLarge: "Pull request too large", "a pull request is at most 4 MiB")
        let pull: SyncProtocol.PullRequest
        do throws(DomainError) {
            pull = try WireJSON.decode(SyncProtocol.PullRequest.self, from: body)
        } catch {
            throw Problem.badRequest("pull request: \(error.message)")
        }
        try await checkDataset(request, pull.dataset)
        let (events, end) = try await blocking { [log] in try SyncServer.page(for: pull, log: log) }
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
                buffer.writeBytes(WireJSON.encode(end))
                buffer.writeInteger(UInt8(0x0A))
                try await writer.write(buffer)
                try await writer.finish(nil)
            })
    }

    /// A push body streamed into the ingest pipeline (`PushIntake`): memory stays bounded
    /// whatever its size.
    func push(_ request: Request) async throws -> Response {
        // Peers are programs: a page in a curator's browser may not push to the node on their laptop.
        try bodyDoors(
            request, limit: SyncProtocol.maxPushBytes, tooLarge: "Push too large",
            "a push body is at most \(SyncProtocol.maxPushBytes) bytes; send smaller pages")
        guard try await checkDataset(request, nil) != nil else {
            throw Problem(
                .conflict, "No dataset yet",
                "this node holds no dataset yet: it adopts the dataset of its configured peers on its first sync, and takes pushes after that"
            )
        }
        try pushes.enterOrRefuse("Too many pushes", "this node runs \(pushes.limit) pushes at a time; retry in a second")
        defer { pushes.leave() }
        let (result, stop): (StreamingIngest.Result, PushIntake.Stop?)
        do {
            (result, stop) = try await PushIntake.run(log: log) { take in
                for try await chunk in request.body {
                    if let stop = await take(Array(chunk.readableBytesView)) { return stop }
                }
                return nil
            }
        } catch let e as PushIntake.BodyUnreadable {
            throw Problem(.badRequest, "Push interrupted", "the push body could not be read to its end: \(e.underlying)")
        }
        if stop == .mostlyRefused {
            throw Problem(
                .unprocessableContent, "Push mostly refused",
                "\(result.summary.rejected) lines of this push were refused and \(result.summary.accepted + result.summary.duplicate + result.summary.invalid) taken; a push whose lines are mostly refused ends, so that it holds no push slot (first refusal: \(result.rejections.first?.reason ?? "-"))"
            )
        }
        if case .tooSlow(let why) = stop {
            throw Problem(
                .requestTimeout, "Push too slow",
                "\(why); the events before it were taken (\(result.summary.accepted) accepted); send smaller pages")
        }
        if stop == .tooLarge {
            throw Problem(
                .contentTooLarge, "Push too large",
                "a push body is at most \(SyncProtocol.maxPushBytes) bytes; the events before the limit were taken (\(result.summary.accepted) accepted); send smaller pages"
            )
        }
        let vector = try await blocking { [log] in try log.versionVector() }
        metrics.add(eventsReceived: result.summary.accepted)
        return try Self.json(encoding: SyncProtocol.PushResult(result, vector: vector))
    }
}
