import AccordCore

/// The OpenAPI 3.1 description of the node's HTTP interface, served at
/// /api/v1/openapi.json. A test requests every path listed here.
enum OpenAPIDocument {
    static let paths: [(method: String, path: String, summary: String, query: [String])] = [
        ("get", "/health", "Liveness and the node's dataset and event count", []),
        ("get", "/metrics", "Prometheus metrics", []),
        (
            "get", "/api/v1/records",
            "One page of records: {total, offset, limit, items}; filters body (GA|SC), year, topic, status (all|current|withdrawn); sort symbol|year|title; limit 1-500 (50), offset",
            ["body", "year", "topic", "status", "sort", "limit", "offset"]
        ),
        ("get", "/api/v1/record", "One record (now, or asOf a time, or at an event), with its conflicts", ["symbol", "asOf", "at"]),
        (
            "get", "/api/v1/search",
            "Full-text search, best first, with snippets; each word also matches as a prefix; one page: {total, offset, limit, items}",
            ["q", "limit", "offset"]
        ),
        ("get", "/api/v1/members", "Members: key, name, role, revoked", []),
        ("get", "/api/v1/history", "Every change to a record, signatures re-checked", ["symbol", "field"]),
        ("get", "/api/v1/chain", "The review chain of a record, oldest first", ["symbol"]),
        ("get", "/api/v1/conflicts", "Fields edited concurrently", []),
        ("get", "/api/v1/digest", "Hash of the projected dataset", []),
        ("get", "/api/v1/peers", "Last sync result per peer", []),
        ("get", "/api/v1/forks", "Recorded equivocations", []),
        ("get", "/sync/v1/info", "Dataset, name and version vector", []),
        ("post", "/sync/v1/pull", "Events the client lacks (NDJSON pages); body: {dataset, vector, after, maxEvents, maxBytes}", []),
        ("post", "/sync/v1/push", "Ingest NDJSON events; answers per-event outcomes", []),
        (
            "post", "/api/v1/events",
            "Edits signed by the client: at most 64 events in wire form, one per line, committed with the writers that arrive together; 200 with each line's outcome once on disk, 422 problem+json naming each refusal, 413, 429 (Retry-After), 507 when storage is full",
            []
        ),
        (
            "post", "/api/v1/drafts",
            "What an edit becomes, unsigned, under the same rules as the CLI (body: {author, edit, symbol, ...}); answers {dataset, author, seq, prev, after, drafts, member}; 400, 404, 409 (changed meanwhile, in conflict); nothing is stored",
            []
        ),
    ]

    static var text: String {
        var p: [String: JSONValue] = [:]
        for (method, path, summary, query) in paths {
            var responses: [String: JSONValue] = [
                "200": ["description": "OK"],
                "400": ["description": "Bad request (application/problem+json)"],
            ]
            if query.contains("symbol") { responses["404"] = ["description": "No such record (application/problem+json)"] }
            var op: [String: JSONValue] = ["summary": .string(summary), "responses": .object(responses)]
            if !query.isEmpty {
                op["parameters"] = .array(
                    query.map {
                        [
                            "name": .string($0), "in": "query", "required": .bool($0 == "symbol" || $0 == "q"),
                            "schema": ["type": "string"],
                        ]
                    })
            }
            var item = p[path]?.objectValue ?? [:]
            item[method] = .object(op)
            p[path] = .object(item)
        }
        let doc: JSONValue = [
            "openapi": "3.1.0",
            "info": [
                "title": "Accord node", "version": "1.0.0",
                "description": "Signed, event-sourced curation of UN resolutions, with sync. See Docs/protocol.md.",
            ],
            "paths": .object(p),
        ]
        return doc.canonicalString
    }
}
