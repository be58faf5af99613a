import AccordCore
import Foundation
import Hummingbird

/// An RFC 9457 problem: every refused request gets one, as `application/problem+json`.
public struct Problem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String
    /// Extra response headers (e.g. Retry-After on 429).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ title: String, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONValue.object([
            "type": "about:blank", "title": .string(title), "status": .int(status.code), "detail": .string(detail),
            "instance": .string(request.uri.path),
        ]).canonicalString
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "Bad request", detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, "Not found", detail) }
}
