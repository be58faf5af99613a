import AccordCore
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/drafts`: what an edit becomes, for a client that signs its own events (the
/// web UI's script). The node applies the same rules as `accord set`, `tag`, ... against
/// the dataset as it stands, and answers the unsigned drafts with where the author's chain
/// stands; the client signs them and posts them to `/api/v1/events`. Nothing is stored.
extension NodeHandlers {
    static let maxDraftBytes = 1 << 20

    func addDrafts(to router: NodeRoutes) {
        router.post("api/v1/drafts") { request, _ -> Response in
            if let why = crossSiteBrowser(request) { throw Problem(.forbidden, "Cross-site request", why) }
            try Self.refuseFormContent(request)
            try Self.refuseDeclaredSize(
                request, limit: Self.maxDraftBytes, "Edit too large", "an edit is at most \(Self.maxDraftBytes) bytes")
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxDraftBytes)
            } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
                throw Problem(.contentTooLarge, "Edit too large", "an edit is at most \(Self.maxDraftBytes) bytes")
            } catch {
                throw Problem(.badRequest, "Body unreadable", "the request body could not be read to its end: \(error)")
            }
            let json: JSONValue
            do {
                json = try JSONParser.parse(Array(body.readableBytesView))
            } catch {
                throw Problem.badRequest("the body is not JSON: \(error)")
            }
            guard let author = json["author"]?.stringValue else {
                throw Problem.badRequest("author is required: the public key (ed25519:...) that will sign the drafts")
            }
            do throws(EventRejection) {
                _ = try AuthorKey(parsing: author)
            } catch {
                throw Problem.badRequest(error.message)
            }
            let answer: JSONValue = try await blocking { [curation, log] in
                guard let dataset = try log.datasetID() else { throw NoDataset() }
                let drafts = try Curation.membershipEdit(json: json).map { [$0.draft] } ?? curation.drafts(try curation.edit(json: json))
                let head = try log.chainHead(author: author)
                let member = try log.membership().members[author]
                var o: [String: JSONValue] = [
                    "dataset": .string(dataset), "author": .string(author), "seq": .int(head?.seq ?? 0),
                    "prev": head.map { .string($0.id) } ?? .null, "after": head.map { .string($0.time) } ?? .null,
                    "drafts": .array(
                        // Salted as this node salts its own (`BodySalt`): the client signs the body as given.
                        drafts.map { $0.salted() }.map { d in
                            var m: [String: JSONValue] = ["type": .string(d.type), "schema": .int(d.schema), "body": d.body]
                            if let s = d.subject { m["subject"] = .string(s) }
                            return .object(m)
                        }),
                ]
                if let member, member.validThroughSeq == nil {
                    o["member"] = ["name": .string(member.name), "role": .string(member.role.rawValue)]
                }
                return .object(o)
            }
            return Self.json(answer)
        }
    }

    /// The content types an HTML form can send across sites (CORS-safelisted) are not what
    /// these endpoints read: refused (415) before anything else, as a second door after the
    /// Origin check.
    static func refuseFormContent(_ request: Request) throws {
        let type =
            (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            ?? ""
        if ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"].contains(type) {
            throw Problem(
                .unsupportedMediaType, "Not a form endpoint",
                "this endpoint reads JSON (drafts) or NDJSON events (application/x-ndjson), not \(type): edits are signed events, not form posts"
            )
        }
    }

    /// A body whose declared length is over `limit` is refused at once (413), before any of
    /// it is read: waiting for it would hold the connection until the slow-body rule cut it.
    static func refuseDeclaredSize(_ request: Request, limit: Int, _ title: String, _ detail: String) throws {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem(.contentTooLarge, title, "\(detail) (this request declares \(declared) bytes)")
        }
    }

    /// Why a request from a browser does not come from this node's own pages, or nil.
    /// Programs send neither `Origin` nor `Sec-Fetch-Site` and are let through: what
    /// they post is signed, and a signature is what a cross-site page cannot forge.
    func crossSiteBrowser(_ request: Request) -> String? {
        guard request.headers[.origin] != nil || request.headers[HTTPField.Name("Sec-Fetch-Site")!] != nil else { return nil }
        return crossSite(request)
    }
}
