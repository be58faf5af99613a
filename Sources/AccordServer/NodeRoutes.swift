import HTTPTypes
import Hummingbird
import Synchronization

/// The node's router, as the handlers see it: every route added through it is also kept
/// in a table of paths and methods, so a request for a known path with a wrong method is
/// answered `405 Method Not Allowed` with `Allow`, not 404 (`MethodNotAllowedMiddleware`).
final class NodeRoutes: RouterMethods {
    typealias Context = NodeServer.Context
    let router: Router<Context>
    let table = RouteTable()

    init(_ router: Router<Context>) { self.router = router }

    @discardableResult
    func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        table.add(path.description, method)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}

/// Paths (static segments, `:name` or `*` for one segment) and the methods each answers.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    func add(_ path: String, _ method: HTTPRequest.Method) {
        let segments = path.split(separator: "/")
        routes.withLock { $0.append((segments, method)) }
    }

    /// The methods `path` answers (HEAD wherever GET is), sorted; empty for an unknown path.
    func methods(for path: String) -> [String] {
        let asked = path.split(separator: "/")
        var found = Set<String>()
        routes.withLock { all in
            for r in all where r.segments.count == asked.count {
                if zip(r.segments, asked).allSatisfy({ $0 == $1 || $0.hasPrefix(":") || $0 == "*" }) {
                    found.insert(r.method.rawValue)
                    if r.method == .get { found.insert("HEAD") }
                }
            }
        }
        return found.sorted()
    }
}

/// A path the node knows, asked with a method it does not answer: 405 with `Allow`.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = NodeServer.Context
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw e }
            throw HTTPError(
                .methodNotAllowed, headers: [.allow: allowed.joined(separator: ", ")],
                message: "\(request.method) is not allowed on \(request.uri.path); it answers \(allowed.joined(separator: ", "))")
        }
    }
}
