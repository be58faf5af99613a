public import AccordCore
public import AccordStore
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging

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
        if Self.wantsPage(request) {
            var page = try NodeHandlers.page("problem", title: title, ["title": title, "detail": detail], status: status)
            for field in headers { page.headers.append(field) }
            return page
        }
        let members: [String: JSONValue] = [
            "type": "about:blank", "title": .string(title), "status": .int(status.code), "detail": .string(detail),
            "instance": .string(request.uri.path),
        ]
        let body = JSONValue.object(extensions.merging(members) { _, standard in standard }).canonicalString
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Whether the request is a browser's page load (an error is then a page, not
    /// problem+json): it accepts HTML and is not for the API, sync, health or metrics.
    static func wantsPage(_ request: Request) -> Bool {
        let path = request.uri.path
        guard !path.hasPrefix("/api/"), !path.hasPrefix("/sync/"), !path.hasPrefix("/log/"), !path.hasPrefix("/witness/"),
            path != "/health", path != "/metrics"
        else {
            return false
        }
        return request.headers[.accept]?.contains("text/html") ?? false
    }

    /// The problem a library error stands for, or nil for an error that is no refusal.
    /// The one place the store's and the domain's typed errors become HTTP statuses.
    init?(translating error: any Error) {
        switch error {
        case let p as Problem: self = p
        case let e as RecordNotFound: self = .notFound(e.description)
        case let e as EventNotFound: self = .notFound(e.description)
        case let e as EditConflict: self.init(.conflict, "Edit refused", e.description)
        case let e as NoDataset: self.init(.conflict, "No dataset yet", e.description)
        case let e as NotAuthorized: self.init(.forbidden, "Not authorized", e.description)
        case let e as EditRefused: self.init(.unprocessableContent, "Edit refused", e.description)
        case let e as InvalidInput: self = .badRequest(e.reason)
        case let e as DomainError: self = .badRequest(e.message)
        case let e as TransparencyError: self.init(.notFound, "Not in this log", e.description)
        case let e as IncompatibleDatabase: self.init(.internalServerError, "Incompatible database", e.description)
        default:
            guard let full = StorageFullError(error) else { return nil }
            self = .storageFull(full)
        }
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "Bad request", detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, "Not found", detail) }
    public static func storageFull(_ e: StorageFullError) -> Problem {
        Problem(HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), "Storage full", e.description)
    }
}

/// Every response carries the browser's safety headers; every error becomes a problem
/// (a page for a browser's page load, problem+json otherwise), routes not found included.
struct PageMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    /// Scripts and styles only from the node itself (no inline script, so injected markup
    /// cannot run), no framing, no sniffing, no referrer to other sites.
    static var securityHeaders: HTTPFields {
        var h = HTTPFields()
        h[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        h[.xContentTypeOptions] = "nosniff"
        h[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        h[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return h
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as HTTPError {
            response = try Problem(e.status, e.status.reasonPhrase, e.body ?? Self.detail(e.status, request)).response(
                from: request, context: context)
            for field in e.headers where response.headers[field.name] == nil { response.headers.append(field) }
        } catch let e as any HTTPResponseError {
            response = try e.response(from: request, context: context)
        } catch {
            let translated = Problem(translating: error)
            if translated == nil {
                logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            }
            response = try (translated ?? Problem(.internalServerError, "Internal error", "the node failed to answer; its log says why"))
                .response(
                    from: request, context: context)
        }
        for field in Self.securityHeaders where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }

    static func detail(_ status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: return "nothing at \(request.uri.path)"
        case .methodNotAllowed: return "\(request.method) is not allowed on \(request.uri.path)"
        default: return status.reasonPhrase
        }
    }
}
