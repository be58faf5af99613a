import AccordCore
import Foundation
import Hummingbird

/// An RFC 9457 problem: every refused request gets one, as `application/problem+json`.
public struct Problem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String

    public init(_ status: HTTPResponse.Status, _ title: String, _ detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONBody.object([
            "type": "about:blank", "title": title, "status": status.code, "detail": detail, "instance": request.uri.path,
        ])
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "Bad request", detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, "Not found", detail) }
}

/// Minimal JSON text building for responses (values are escaped as RFC 8785 does).
enum JSONBody {
    static func object(_ members: [String: Any?]) -> String {
        "{" + members.keys.sorted().map { k in quote(k) + ":" + value(members[k]!) }.joined(separator: ",") + "}"
    }

    static func value(_ v: Any?) -> String {
        switch v {
        case nil: return "null"
        case let s as String: return quote(s)
        case let i as Int: return String(i)
        case let b as Bool: return b ? "true" : "false"
        default: return quote("\(v!)")
        }
    }

    static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        JSONValue.writeCanonicalString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
