import AccordCore
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/v1/events`: the write endpoint for clients that sign their own edits (a
/// curator's browser or program). The body is up to `maxEditEvents` signed events in wire
/// form, one per line; they run the one ingest pipeline as a writer of a group commit, and
/// the answer comes once the group's transaction is committed (on disk on a durable node).
extension NodeHandlers {
    static let maxEditEvents = 64
    static let maxEditBytes = 4 << 20

    /// One line's outcome.
    struct EditResult {
        let line: Int
        let id: String?
        let outcome: String
        let code: String?
        let reason: String?

        init(line: Int, _ o: IngestOutcome) {
            self.line = line
            switch o {
            case .accepted(let id): (self.id, outcome, code, reason) = (id, "accepted", nil, nil)
            case .duplicate(let id): (self.id, outcome, code, reason) = (id, "duplicate", nil, nil)
            case .invalid(let id, let why): (self.id, outcome, code, reason) = (id, "invalid", "invalid", why)
            case .rejected(let r): (id, outcome, code, reason) = (nil, "rejected", r.code.rawValue, r.message)
            }
        }

        var json: JSONValue {
            var o: [String: JSONValue] = ["line": .int(line), "outcome": .string(outcome)]
            if let id { o["id"] = .string(id) }
            if let code { o["code"] = .string(code) }
            if let reason { o["reason"] = .string(reason) }
            return .object(o)
        }
    }

    /// `POST /api/v1/events`: signed edits, acknowledged once durable.
    var eventsRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.post("api/v1/events") { request, _ -> Response in
            try bodyDoors(
                request, limit: Self.maxEditBytes, tooLarge: "Edit too large",
                "an edit request is at most \(Self.maxEditBytes) bytes; send large sets of events with a push (/sync/v1/push)")
            guard try await checkDataset(request, nil) != nil else {
                throw Problem(.conflict, "No dataset yet", "this node holds no dataset yet: edits wait until it has one")
            }
            let body = try await Self.collect(
                request, upTo: Self.maxEditBytes, tooLarge: "Edit too large",
                "an edit request is at most \(Self.maxEditBytes) bytes; send large sets of events with a push (/sync/v1/push)")
            // A slot is taken only once the body is here whole (the door cuts slow senders):
            // a stranger trickling bytes holds a connection, never the slots of honest edits.
            try edits.enterOrRefuse("Too many edits", "this node takes \(edits.limit) edit requests at a time; retry in a second")
            defer { edits.leave() }
            // Numbered as the client wrote them (blank lines skipped), as an import numbers them.
            let numbered = NDJSONLineSplitter.lines(of: body)
            guard numbered.count <= Self.maxEditEvents else {
                throw Problem(
                    .contentTooLarge, "Too many events",
                    "an edit request carries at most \(Self.maxEditEvents) events; send larger sets with a push (/sync/v1/push)")
            }
            guard !numbered.isEmpty else {
                throw Problem.badRequest("the body carries no event: send signed events in wire form, one per line (Docs/protocol.md)")
            }
            let outcomes: [IngestOutcome]
            do {
                outcomes = try await group.ingest(lines: numbered.map(\.1), atomic: true)
            } catch let full as StorageFullError {
                throw Problem.storageFull(full)
            }
            let results = zip(numbered, outcomes).map { EditResult(line: $0.0, $1) }
            let summary = IngestSummary(outcomes)
            let members: [String: JSONValue] = [
                "accepted": .int(summary.accepted), "duplicate": .int(summary.duplicate), "invalid": .int(summary.invalid),
                "rejected": .int(summary.rejected), "results": .array(results.map(\.json)),
            ]
            if summary.rejected > 0 || summary.invalid > 0 {
                var problem = Problem(
                    .unprocessableContent, "Events refused",
                    (results.first { $0.outcome != "accepted" && $0.outcome != "duplicate" && $0.code != "not-stored" }.map {
                        "line \($0.line): \($0.reason ?? $0.outcome)"
                    } ?? "") + " (nothing of this request was stored)")
                problem.extensions = members
                throw problem
            }
            return Self.json(.object(members))
        }
        return router
    }
}
