import AccordCore
import AccordStore
import Foundation
import Hummingbird

/// An RFC 9457 problem: every refused request gets one, as `application/problem+json`.
public struct Problem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String
    /// Extra response headers (e.g. Retry-After on 429).
    public var headers: HTTPFields = [:]
    /// Extension members (RFC 9457, section 3.2), e.g. each event's outcome.
    public var extensions: [String: JSONValue] = [:]

    public init(_ status: HTTPResponse.Status, _ title: String, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let members: [String: JSONValue] = [
            "type": "about:blank", "title": .string(title), "status": .int(status.code), "detail": .string(detail),
            "instance": .string(request.uri.path),
        ]
        let body = JSONValue.object(extensions.merging(members) { _, standard in standard }).canonicalString
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "Bad request", detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, "Not found", detail) }
    public static func storageFull(_ e: StorageFullError) -> Problem {
        Problem(HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), "Storage full", e.description)
    }
}
