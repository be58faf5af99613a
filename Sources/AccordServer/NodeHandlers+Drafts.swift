import AccordCore
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/drafts`: what an edit becomes, for a client that signs its own events (the
/// web UI's script). The node applies the same rules as `accord set`, `tag`, ... against
/// the dataset as it stands, and answers the unsigned drafts with where the author's chain
/// stands; the client signs them and posts them to `/api/v1/events`. Nothing is stored.
extension NodeHandlers {
    static let maxDraftBytes = 1 << 20

    /// `POST /api/v1/drafts`: the events an edit needs, for the browser to sign.
    var draftsRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.post("api/v1/drafts") { request, _ -> Response in
            try bodyDoors(request, limit: Self.maxDraftBytes, tooLarge: "Edit too large", "an edit is at most \(Self.maxDraftBytes) bytes")
            let body = try await Self.collect(
                request, upTo: Self.maxDraftBytes, tooLarge: "Edit too large", "an edit is at most \(Self.maxDraftBytes) bytes")
            let edit: DraftsRequest
            do throws(DomainError) {
                edit = try WireJSON.decode(DraftsRequest.self, from: body)
            } catch {
                throw Problem.badRequest(error.message)
            }
            let author = edit.author.text
            let answer: JSONValue = try await blocking { [curation] in
                let change = try edit.membershipEdit()
                let s = try curation.draftsSnapshot(change == nil ? try curation.edit(edit) : nil, membership: change, author: author)
                guard let dataset = s.dataset else { throw NoDataset() }
                var o: [String: JSONValue] = [
                    "dataset": .string(dataset), "author": .string(author), "seq": .int(s.headSeq ?? 0),
                    "prev": s.headID.map { .string($0) } ?? .null, "after": s.headTime.map { .string($0) } ?? .null,
                    "drafts": .array(
                        // Salted as this node salts its own (`BodySalt`): the client signs the body as given.
                        s.drafts.map { $0.salted() }.map { d in
                            var m: [String: JSONValue] = ["type": .string(d.type), "schema": .int(d.schema), "body": d.body]
                            if let s = d.subject { m["subject"] = .string(s) }
                            return .object(m)
                        }),
                ]
                if let member = s.member { o["member"] = ["name": .string(member.name), "role": .string(member.role.rawValue)] }
                return .object(o)
            }
            return Self.json(answer)
        }
        return router
    }
}
