import AccordCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request code every endpoint that reads a body shares, written once: the cross-site
/// and form-type doors, the declared size, and collecting a body under its limit.
extension NodeHandlers {
    /// The doors every endpoint that takes a body passes before it reads it: a cross-site
    /// browser (403), a form content type (415), and a declared length over `limit` (413,
    /// with `title` and `detail`).
    func bodyDoors(_ request: Request, limit: Int, tooLarge title: String, _ detail: String) throws {
        if let why = crossSiteBrowser(request) { throw Problem(.forbidden, "Cross-site request", why) }
        try Self.refuseFormContent(request)
        try Self.refuseDeclaredSize(request, limit: limit, title, detail)
    }

    /// The request body, whole, at most `limit` bytes: over it, 413 with `title` and
    /// `detail`; a body that cannot be read to its end, 400.
    static func collect(_ request: Request, upTo limit: Int, tooLarge title: String, _ detail: String) async throws -> [UInt8] {
        var request = request
        do {
            return [UInt8](try await request.collectBody(upTo: limit).readableBytesView)
        } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
            throw Problem(.contentTooLarge, title, detail)
        } catch {
            throw Problem(.badRequest, "Body unreadable", "the request body could not be read to its end: \(error)")
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
