/// The OpenAPI 3.1 description of the node's HTTP interface, served at
/// /api/v1/openapi.json. A test requests every path listed here.
enum OpenAPIDocument {
    static let paths: [(method: String, path: String, summary: String, query: [String])] = [
        ("get", "/health", "Liveness and the node's dataset and event count", []),
        ("get", "/metrics", "Prometheus metrics", []),
        ("get", "/api/v1/records", "Records, filtered by body (GA|SC), year or topic", ["body", "year", "topic"]),
        ("get", "/api/v1/record", "One record (now, or asOf a time, or at an event), with its conflicts", ["symbol", "asOf", "at"]),
        ("get", "/api/v1/search", "Full-text search, best first, with snippets", ["q"]),
        ("get", "/api/v1/history", "Every change to a record, signatures re-checked", ["symbol", "field"]),
        ("get", "/api/v1/chain", "The review chain of a record, oldest first", ["symbol"]),
        ("get", "/api/v1/conflicts", "Fields edited concurrently", []),
        ("get", "/api/v1/digest", "Hash of the projected dataset", []),
        ("get", "/api/v1/peers", "Last sync result per peer", []),
        ("get", "/api/v1/forks", "Recorded equivocations", []),
        ("get", "/sync/v1/info", "Dataset, name and version vector", []),
        ("post", "/sync/v1/pull", "Events the client lacks (NDJSON pages); body: {dataset, vector, after, maxEvents, maxBytes}", []),
        ("post", "/sync/v1/push", "Ingest NDJSON events; answers per-event outcomes", []),
    ]

    static var text: String {
        var p: [String: JSONValueLike] = [:]
        for (method, path, summary, query) in paths {
            var op: [String: JSONValueLike] = [
                "summary": .s(summary),
                "responses": .o([
                    "200": .o(["description": .s("OK")]),
                    "400": .o(["description": .s("Bad request (application/problem+json)")]),
                ]),
            ]
            if !query.isEmpty {
                op["parameters"] = .a(
                    query.map {
                        .o([
                            "name": .s($0), "in": .s("query"), "required": .b($0 == "symbol" || $0 == "q"),
                            "schema": .o(["type": .s("string")]),
                        ])
                    })
            }
            var item: [String: JSONValueLike] = [:]
            if case .o(let m)? = p[path] { item = m }
            item[method] = .o(op)
            p[path] = .o(item)
        }
        let doc: JSONValueLike = .o([
            "openapi": .s("3.1.0"),
            "info": .o([
                "title": .s("Accord node"), "version": .s("1.0.0"),
                "description": .s("Signed, event-sourced curation of UN resolutions, with sync. See Docs/protocol.md."),
            ]),
            "paths": .o(p),
        ])
        return doc.text
    }
}

/// A tiny JSON builder for the static document.
indirect enum JSONValueLike {
    case s(String), b(Bool), a([JSONValueLike]), o([String: JSONValueLike])

    var text: String {
        switch self {
        case .s(let x): return JSONBody.quote(x)
        case .b(let x): return x ? "true" : "false"
        case .a(let xs): return "[" + xs.map(\.text).joined(separator: ",") + "]"
        case .o(let m): return "{" + m.keys.sorted().map { JSONBody.quote($0) + ":" + m[$0]!.text }.joined(separator: ",") + "}"
        }
    }
}
