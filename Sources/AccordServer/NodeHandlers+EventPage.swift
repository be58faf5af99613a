import AccordCore
import AccordStore
import Foundation
import Hummingbird

/// One event, as the log holds it: its envelope, its body (or that it was redacted, by
/// whom and why), its signature checked again from the stored bytes, its author by name.
extension NodeHandlers {
    struct EventView: Sendable {
        let event: StoredEvent
        let envelope: JSONValue
        let body: JSONValue?
        let signature: String
        let redaction: Redaction?
        let authorName: String?
    }

    func eventView(_ idOrPrefix: String) throws -> EventView {
        let e = try log.event(idOrPrefix: idOrPrefix)
        let signature: String
        switch WireFormat.verifyStored(envelopeBytes: e.envelopeBytes, signature: e.signature, bodyBytes: e.bodyBytes, storedID: e.id) {
        case .success: signature = "valid"
        case .failure(let r): signature = "BAD (\(r.code.rawValue)): \(r.message)"
        }
        return EventView(
            event: e, envelope: (try? JSONParser.parse(e.envelopeBytes)) ?? .null, body: e.bodyBytes.flatMap { try? JSONParser.parse($0) },
            signature: signature, redaction: try log.redactions(of: [e.id])[e.id], authorName: try log.membership().members[e.author]?.name)
    }

    /// `/api/v1/event`: one stored event, with its signature and who signed it.
    var eventPageRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.get("api/v1/event") { request, _ -> Response in
            guard let id = request.uri.queryParameters["id"].map(String.init) else {
                throw Problem.badRequest("the id query parameter is required: an event id or its first 8 or more hex digits")
            }
            let v = try await blocking { try eventView(id) }
            var o: [String: JSONValue] = [
                "id": .string(v.event.id), "pos": .int(Int(v.event.pos)), "envelope": v.envelope, "sig": .string(v.event.signature),
                "signature": .string(v.signature), "body": v.body ?? .null,
            ]
            if let r = v.redaction {
                o["redaction"] = ["id": .string(r.id), "author": .string(r.author), "time": .string(r.time), "reason": .string(r.reason)]
            }
            return Self.json(.object(o))
        }
        router.get("/event") { request, _ -> Response in
            guard let id = request.uri.queryParameters["id"].map(String.init) else {
                throw Problem.badRequest("the id query parameter is required: an event id or its first 8 or more hex digits")
            }
            let (v, names) = try await blocking { (try eventView(id), Self.names(try log.membership())) }
            let e = v.event
            var o: [String: Any] = [
                "id": e.id, "short": String(e.id.prefix(12)), "type": e.type, "who": Self.who(e.author, names), "seq": e.seq,
                "time": e.time,
                "signature": v.signature, "envelope": Self.pretty(v.envelope), "body": Self.pretty(v.body ?? .null),
                "redaction": v.redaction.map { r -> [String: Any] in
                    ["id": r.id, "by": Self.who(r.author, names), "at": r.time, "reason": r.reason]
                }
                    ?? false,
            ]
            if let subject = e.subject {
                if let symbol = try? ResolutionSymbol(parsing: subject) {
                    o["record"] = Self.linkContext(symbol.description)
                } else if Hex.isSHA256(subject) {
                    o["target"] = subject
                } else {
                    o["otherSubject"] = subject
                }
            }
            return try await self.page("event", title: "Event \(e.id.prefix(12))", o)
        }
        return router
    }

    /// Indented JSON for reading (the canonical form is on one line).
    static func pretty(_ v: JSONValue) -> String {
        guard let data = try? JSONSerialization.jsonObject(with: Data(v.canonicalBytes), options: [.fragmentsAllowed]),
            let out = try? JSONSerialization.data(
                withJSONObject: data, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return v.canonicalString }
        return String(decoding: out, as: UTF8.self)
    }
}
