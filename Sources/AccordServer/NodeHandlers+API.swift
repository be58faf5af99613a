import AccordCore
import AccordStore
import AccordSync
import Foundation
import Hummingbird

/// `/api/v1`: the dataset as JSON (documented in `openapi.json`, served at /api/v1/openapi.json).
extension NodeHandlers {
    func symbolParameter(_ request: Request) throws -> String {
        guard let s = request.uri.queryParameters["symbol"].map(String.init), !s.isEmpty else {
            throw Problem.badRequest("the symbol query parameter is required, e.g. ?symbol=A/RES/71/19")
        }
        return s
    }

    /// The query parameters, each name once (the last wins).
    static func parameters(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { out[String(k)] = String(v) }
        return out
    }

    /// The list query in the request's parameters (`ListRequest`); a malformed one is a 400
    /// that says which parameter.
    static func listQuery(_ request: Request) throws -> Curation.ListQuery {
        do {
            return try URLEncodedFormDecoder().decode(ListRequest.self, from: request.uri.query ?? "").query
        } catch let e as DecodingError {
            throw Problem.badRequest("query: \(WireJSON.describe(e))")
        } catch let e as InvalidInput {
            throw e
        } catch {
            throw Problem.badRequest("query: \(error)")
        }
    }

    static func intParameter(_ p: [String: String], _ name: String) throws -> Int? {
        guard let v = p[name], !v.isEmpty else { return nil }
        guard let n = Int(v) else { throw Problem.badRequest("\(name) must be a whole number, got \"\(v.prefix(20))\"") }
        return n
    }

    /// `/api/v1`: the dataset as JSON, added under that path.
    var apiRoutes: RouteCollection<Context> {
        let api = RouteCollection(context: Context.self)
        api.get("openapi.json") { _, _ -> Response in Self.json(OpenAPIDocument.text) }
        api.get("records") { request, _ -> Response in
            let query = try Self.listQuery(request)
            return try Self.json(encoding: try await blocking { [curation] in try curation.list(query) })
        }
        api.get("record") { request, _ -> Response in
            let symbol = try symbolParameter(request)
            let asOf = request.uri.queryParameters["asOf"].map(String.init)
            let at = request.uri.queryParameters["at"].map(String.init)
            let json: JSONValue = try await blocking { [curation] in
                let s = try curation.resolveSymbol(symbol)
                guard let state = try curation.state(s, cutoff: try curation.cutoff(asOf: asOf, at: at)) else {
                    throw RecordNotFound(symbol: s)
                }
                return try curation.recordJSON(state)
            }
            return Self.json(json)
        }
        api.get("search") { request, _ -> Response in
            let p = Self.parameters(request)
            guard let q = p["q"], !q.isEmpty else { throw Problem.badRequest("the q query parameter is required") }
            let limit = try Self.intParameter(p, "limit") ?? 20
            let offset = try Self.intParameter(p, "offset") ?? 0
            return try Self.json(encoding: try await blocking { [curation] in try curation.search(q, limit: limit, offset: offset) })
        }
        api.get("history") { request, _ -> Response in
            let symbol = try symbolParameter(request)
            let field = request.uri.queryParameters["field"].map(String.init)
            return try Self.json(
                encoding: try await blocking { [curation] in
                    try curation.history(try curation.existing(symbol), field: try field.map { try RecordField(parsing: $0) })
                })
        }
        api.get("chain") { request, _ -> Response in
            let symbol = try symbolParameter(request)
            let chain = try await blocking { [curation] in try curation.chain(try curation.existing(symbol)).map(\.description) }
            return try Self.json(encoding: chain)
        }
        api.get("conflicts") { _, _ -> Response in try Self.json(encoding: try await blocking { [curation] in try curation.conflicts() }) }
        api.get("digest") { _, _ -> Response in
            let d = try await blocking { [curation] in try curation.digest() }
            return Self.json(["digest": .string(d)])
        }
        api.get("members") { _, _ -> Response in
            let state = try await blocking { [log] in try log.membership() }
            let members: [JSONValue] = state.members.values.sorted { ($0.name, $0.key) < ($1.name, $1.key) }.map { m in
                var o: [String: JSONValue] = [
                    "key": .string(m.key), "name": .string(m.name), "role": .string(m.role.rawValue),
                    "revoked": .bool(m.validThroughSeq != nil),
                ]
                if let cut = m.validThroughSeq { o["validThroughSeq"] = .int(cut) }
                return .object(o)
            }
            return Self.json(.array(members))
        }
        api.get("peers") { _, _ -> Response in try Self.json(encoding: try await blocking { [log] in try log.peers() }) }
        api.get("forks") { _, _ -> Response in try Self.json(encoding: try await blocking { [log] in try log.forks() }) }
        api.get("evidence") { _, _ -> Response in try Self.json(encoding: try await blocking { [log] in try log.evidence() }) }
        return api
    }
}
