import AccordCore

/// The OpenAPI 3.1 description of the node's HTTP interface, served at
/// /api/v1/openapi.json: every operation with its parameters, request body, status codes
/// and the JSON Schema of each answer. A test requests every operation and validates the
/// live answers against these schemas.
enum OpenAPIDocument {
    struct Operation {
        let method: String
        let path: String
        let summary: String
        var query: [(name: String, required: Bool, type: String)] = []
        /// Content type and schema name of the request body.
        var request: (type: String, schema: String)?
        /// Status -> (description, content type, schema name); a nil schema has no JSON body.
        var responses: [(status: Int, description: String, type: String?, schema: String?)]
    }

    static let problem = (type: Optional("application/problem+json"), schema: Optional("Problem"))

    static func refused(_ status: Int, _ description: String) -> (Int, String, String?, String?) {
        (status, description, problem.type, problem.schema)
    }

    static func ok(_ schema: String, _ description: String = "OK") -> (Int, String, String?, String?) {
        (200, description, "application/json", schema)
    }

    static let symbol = [(name: "symbol", required: true, type: "string")]

    static let operations: [Operation] = [
        Operation(method: "get", path: "/health", summary: "Liveness, the node's dataset and event count", responses: [ok("Health")]),
        Operation(
            method: "get", path: "/metrics", summary: "Prometheus metrics (text exposition format)",
            responses: [(200, "OK", "text/plain", nil)]),
        Operation(
            method: "get", path: "/api/v1/records",
            summary:
                "One page of records, filtered by body (GA|SC), year, topic, status (all|current|withdrawn), sorted by symbol|year|title",
            query: [
                ("body", false, "string"), ("year", false, "integer"), ("topic", false, "string"), ("status", false, "string"),
                ("sort", false, "string"), ("limit", false, "integer"), ("offset", false, "integer"),
            ], responses: [ok("RecordPage"), refused(400, "A bad filter, sort, limit (1-500) or offset")]),
        Operation(
            method: "get", path: "/api/v1/record", summary: "One record, now or asOf a time or at an event, with its conflicts",
            query: symbol + [("asOf", false, "string"), ("at", false, "string")],
            responses: [ok("Record"), refused(400, "A malformed symbol, time or event id"), refused(404, "No such record or event")]),
        Operation(
            method: "get", path: "/api/v1/search",
            summary: "Full-text search, best first, with snippets; every word also matches as a prefix",
            query: [("q", true, "string"), ("limit", false, "integer"), ("offset", false, "integer")],
            responses: [ok("SearchPage"), refused(400, "No words, control characters, or a bad limit/offset")]),
        Operation(
            method: "get", path: "/api/v1/history", summary: "Every change to a record (or one field), signatures re-checked",
            query: symbol + [("field", false, "string")],
            responses: [ok("History"), refused(400, "A malformed symbol or unknown field"), refused(404, "No such record")]),
        Operation(
            method: "get", path: "/api/v1/chain", summary: "The review chain of a record, oldest first", query: symbol,
            responses: [ok("Chain"), refused(400, "A malformed symbol"), refused(404, "No such record")]),
        Operation(
            method: "get", path: "/api/v1/conflicts", summary: "Fields edited concurrently, with every value",
            responses: [ok("Conflicts")]),
        Operation(method: "get", path: "/api/v1/digest", summary: "Hash of the projected dataset", responses: [ok("Digest")]),
        Operation(method: "get", path: "/api/v1/members", summary: "Members: key, name, role, revocation", responses: [ok("Members")]),
        Operation(method: "get", path: "/api/v1/peers", summary: "The last sync with each peer", responses: [ok("Peers")]),
        Operation(method: "get", path: "/api/v1/forks", summary: "Recorded equivocations (one key, two chains)", responses: [ok("Forks")]),
        Operation(
            method: "get", path: "/api/v1/evidence",
            summary: "Inconsistencies found in peers' transparency logs (both signed notes, the proof)",
            responses: [ok("Evidence")]),
        Operation(
            method: "get", path: "/api/v1/event", summary: "One event by id or a unique prefix of 8+ hex digits",
            query: [("id", true, "string")],
            responses: [ok("Event"), refused(400, "Not an id, or a prefix several events share"), refused(404, "No such event")]),
        Operation(
            method: "post", path: "/api/v1/drafts",
            summary: "What an edit becomes, unsigned, under the CLI's rules, with where the author's chain stands; nothing is stored",
            request: ("application/json", "DraftRequest"),
            responses: [
                ok("Drafts"), refused(400, "Bad input (a review link that would loop included)"), refused(403, "A browser on another site"),
                refused(404, "No such record"), refused(409, "Changed meanwhile, in conflict, exists already, or no dataset yet"),
                refused(413, "A body over 1 MiB"),
            ]),
        Operation(
            method: "post", path: "/api/v1/events",
            summary: "Edits signed by the client: 1 to 64 events in wire form, one per line, answered once committed (group commit)",
            request: ("application/x-ndjson", "WireEvents"),
            responses: [
                ok("EditResults", "Every event accepted or a duplicate"),
                refused(400, "No event in the body"), refused(403, "A browser on another site"),
                refused(409, "Another dataset, or no dataset yet"), refused(413, "Over 64 events or 4 MiB"),
                (
                    422, "An event rejected or stored without effect; the results say which and why", "application/problem+json",
                    "EditRefusal"
                ),
                refused(429, "64 edit requests at a time; Retry-After"), refused(507, "Storage full"),
            ]),
        Operation(method: "get", path: "/sync/v1/info", summary: "Dataset, name and version vector", responses: [ok("SyncInfo")]),
        Operation(
            method: "post", path: "/sync/v1/pull",
            summary: "Events the client lacks, as NDJSON pages ending with a control line (Docs/protocol.md)",
            request: ("application/json", "PullRequest"),
            responses: [(200, "NDJSON: events, then a control line", "application/x-ndjson", nil), refused(400, "A malformed request")]),
        Operation(
            method: "post", path: "/sync/v1/push", summary: "Events for this node, NDJSON; answers per-event outcomes",
            request: ("application/x-ndjson", "WireEvents"),
            responses: [ok("PushResult"), refused(409, "Another dataset"), refused(413, "Too large"), refused(429, "Two pushes at a time")]),
    ]

    // MARK: Schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses it)

    static func object(_ properties: [String: JSONValue], required: [String], additional: Bool = false) -> JSONValue {
        [
            "type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)),
            "additionalProperties": .bool(additional),
        ]
    }
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let any: JSONValue = [:]
    static func page(_ item: String) -> JSONValue {
        object(
            ["total": integer, "offset": integer, "limit": integer, "items": array(ref(item))],
            required: ["total", "offset", "limit", "items"])
    }

    static let schemas: [String: JSONValue] = [
        "Problem": object(
            ["type": string, "title": string, "status": integer, "detail": string, "instance": string],
            required: ["title", "status", "detail"],
            additional: true),
        "Health": object(["status": string, "dataset": nullable("string"), "events": integer], required: ["status", "dataset", "events"]),
        "Summary": object(
            [
                "symbol": string, "body": ["enum": ["GA", "SC"]], "year": nullable("integer"), "title": nullable("string"),
                "withdrawn": boolean,
            ], required: ["symbol", "body", "withdrawn"]),
        "RecordPage": page("Summary"),
        "SearchHit": object(
            ["symbol": string, "title": nullable("string"), "snippet": string, "rank": ["type": "number"]],
            required: ["symbol", "snippet", "rank"]),
        "SearchPage": page("SearchHit"),
        "Link": object(
            ["rel": ["enum": .array(LinkRelation.allCases.map { .string($0.rawValue) })], "target": string], required: ["rel", "target"]),
        "Source": object(["url": string, "label": string], required: ["url", "label"]),
        "Head": object(
            ["id": string, "value": any, "author": string, "authorName": nullable("string"), "time": string],
            required: ["id", "value", "author", "time"]),
        "Record": object(
            [
                "symbol": string, "body": ["enum": ["GA", "SC"]], "withdrawn": boolean, "topics": array(string),
                "links": array(ref("Link")),
                "sources": array(ref("Source")), "conflicts": ["type": "object", "additionalProperties": array(ref("Head"))],
            ], required: ["symbol", "body", "withdrawn", "topics", "links", "sources", "conflicts"], additional: true),
        "HistoryEntry": object(
            [
                "id": string, "time": string, "author": string, "change": string, "field": string, "old": array(any), "new": any,
                "signature": string, "invalid": string, "oldAuthors": array(string),
            ], required: ["id", "time", "author", "change", "old", "signature"]),
        "History": array(ref("HistoryEntry")),
        "Chain": array(string),
        "Revision": object(["id": string, "value": any, "author": string, "time": string], required: ["id", "value", "author", "time"]),
        "Conflict": object(
            ["symbol": string, "field": string, "provisional": ref("Revision"), "heads": array(ref("Revision"))],
            required: ["symbol", "field", "provisional", "heads"]),
        "Conflicts": array(ref("Conflict")),
        "Digest": object(["digest": string], required: ["digest"]),
        "Member": object(
            ["key": string, "name": string, "role": ["enum": ["admin", "editor"]], "revoked": boolean, "validThroughSeq": integer],
            required: ["key", "name", "role", "revoked"]),
        "Members": array(ref("Member")),
        "PeerStatus": object(
            ["url": string, "lastAttempt": string, "lastSuccess": string, "failures": integer, "lastResult": string],
            required: ["url", "failures"]),
        "Peers": array(ref("PeerStatus")),
        "Fork": object(
            ["author": string, "seq": integer, "existingID": string, "forkID": string, "detectedAt": string],
            required: ["author", "seq", "existingID", "forkID", "detectedAt"]),
        "Forks": array(ref("Fork")),
        "LogEvidence": object(
            [
                "id": integer, "family": string, "peer": string, "detail": string, "held": string, "seen": string, "proof": string,
                "foundAt": string, "decidedAt": string, "decision": string,
            ], required: ["id", "family", "peer", "detail", "held", "seen", "proof", "foundAt"]),
        "Evidence": array(ref("LogEvidence")),
        "Event": object(
            [
                "id": string, "pos": integer, "envelope": ["type": "object"], "sig": string, "signature": string, "body": any,
                "redaction": object(
                    ["id": string, "author": string, "time": string, "reason": string], required: ["id", "author", "time", "reason"]),
            ], required: ["id", "pos", "envelope", "sig", "signature", "body"]),
        "DraftRequest": object(
            [
                "author": string,
                "edit": [
                    "enum": [
                        "add", "set", "resolve", "tag", "untag", "link", "unlink", "add-sources", "remove-sources", "withdraw", "restore",
                        "grant",
                    ]
                ], "symbol": string,
            ], required: ["author", "edit"], additional: true),
        "Drafts": object(
            [
                "dataset": string, "author": string, "seq": integer, "prev": nullable("string"), "after": nullable("string"),
                "drafts": array(
                    object(["type": string, "schema": integer, "subject": string, "body": any], required: ["type", "schema", "body"])),
                "member": object(["name": string, "role": string], required: ["name", "role"]),
            ], required: ["dataset", "author", "seq", "prev", "after", "drafts"]),
        "WireEvents": ["type": "string", "description": "Events in wire form (Docs/protocol.md), one JSON object per line"],
        "EditResult": object(
            [
                "line": integer, "outcome": ["enum": ["accepted", "duplicate", "invalid", "rejected"]], "id": string, "code": string,
                "reason": string,
            ], required: ["line", "outcome"]),
        "EditResults": object(
            ["accepted": integer, "duplicate": integer, "invalid": integer, "rejected": integer, "results": array(ref("EditResult"))],
            required: ["accepted", "duplicate", "invalid", "rejected", "results"]),
        "EditRefusal": [
            "allOf": [
                ref("Problem"), ["type": "object", "properties": ["results": array(ref("EditResult"))], "required": ["results"]],
            ]
        ],
        "SyncInfo": object(
            [
                "dataset": nullable("string"), "events": integer, "name": nullable("string"), "protocol": integer,
                "vector": ["type": "object", "additionalProperties": integer],
            ],
            required: ["dataset", "events", "protocol", "vector"]),
        "PullRequest": object(["dataset": string, "vector": ["type": "object"], "after": integer], required: ["vector"], additional: true),
        "PushResult": ["type": "object"],
    ]

    static var json: JSONValue {
        var paths: [String: JSONValue] = [:]
        for op in operations {
            var responses: [String: JSONValue] = [:]
            for r in op.responses {
                var answer: [String: JSONValue] = ["description": .string(r.description)]
                if let type = r.type {
                    answer["content"] = .object([type: r.schema.map { ["schema": ref($0)] } ?? [:]])
                }
                responses[String(r.status)] = .object(answer)
            }
            var o: [String: JSONValue] = ["summary": .string(op.summary), "responses": .object(responses)]
            if !op.query.isEmpty {
                o["parameters"] = .array(
                    op.query.map {
                        ["name": .string($0.name), "in": "query", "required": .bool($0.required), "schema": ["type": .string($0.type)]]
                    })
            }
            if let body = op.request {
                o["requestBody"] = ["required": true, "content": .object([body.type: ["schema": ref(body.schema)]])]
            }
            var item = paths[op.path]?.objectValue ?? [:]
            item[op.method] = .object(o)
            paths[op.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Accord node", "version": "1.0.0",
                "description": "Signed, event-sourced curation of UN resolutions, with sync. See Docs/protocol.md.",
            ],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    static var text: String { json.canonicalString }
}
