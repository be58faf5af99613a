import AccordCore
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/sync/v1`: the merge protocol (Docs/protocol.md, section 5).
extension NodeHandlers {
    func checkDataset(_ request: Request, _ claimed: String?) async throws {
        let mine = try await blocking { [log] in try log.datasetID() }
        let header = request.headers[HTTPField.Name(SyncProtocol.datasetHeader)!]
        for c in [claimed, header].compactMap({ $0 }) where mine != nil && c != mine {
            throw Problem(
                .conflict, "Another dataset",
                "this node holds dataset \(mine!), the request is for dataset \(c); no events were exchanged")
        }
    }

    func addSync(to router: Router<NodeServer.Context>) {
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
            let body = try await request.collectBody(upTo: 4 << 20)
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
                try log.missing(for: pull.vector, after: pull.after, maxEvents: pull.maxEvents, maxBytes: pull.maxBytes)
            }
            let (dataset, vector) = try await blocking { [log] in (try log.datasetID(), try log.versionVector()) }
            let end = SyncProtocol.PageEnd(next: next, events: events.count, dataset: dataset, vector: vector)
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
            try await checkDataset(request, nil)
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: SyncProtocol.maxPushBytes)
            } catch {
                throw Problem(
                    .contentTooLarge, "Push too large", "a push body is at most \(SyncProtocol.maxPushBytes) bytes; send smaller pages")
            }
            let result = try await blocking { [log] in try NDJSONImport.run(data: [UInt8](body.readableBytesView), into: log) }
            metrics.add(eventsReceived: result.summary.accepted)
            return try Self.json(encoding: PushResult(result))
        }
    }
}

/// The answer to a push: counts and each rejection with its line and reason.
struct PushResult: Encodable {
    let accepted: Int
    let duplicate: Int
    let rejected: Int
    let rejections: [NDJSONImport.Rejection]

    init(_ r: NDJSONImport.Result) {
        accepted = r.summary.accepted
        duplicate = r.summary.duplicate
        rejected = r.summary.rejected
        rejections = r.rejections
    }
}
