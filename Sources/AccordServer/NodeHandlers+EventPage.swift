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

    func addEventPage(to router: Router<NodeServer.Context>) {
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
            var html = "<h1>Event <code>\(e.id.prefix(12))</code></h1><table class=\"record\">"
            html += "<tr><th>Id</th><td><code>\(e.id)</code></td></tr>"
            html += "<tr><th>Type</th><td>\(Self.esc(e.type))</td></tr>"
            html += "<tr><th>Author</th><td>\(Self.who(e.author, names)) <span class=\"muted\">seq \(e.seq)</span></td></tr>"
            html += "<tr><th>Time</th><td>\(Self.esc(e.time))</td></tr>"
            if let subject = e.subject {
                let symbol = (try? ResolutionSymbol(parsing: subject)).map { Self.link($0.description) }
                let target = Hex.isSHA256(subject) ? "<a href=\"/event?id=\(subject)\"><code>\(subject.prefix(12))</code></a>" : nil
                html += "<tr><th>Subject</th><td>\(symbol ?? target ?? "<code>" + Self.esc(subject) + "</code>")</td></tr>"
            }
            html += "<tr><th>Signature</th><td>\(Self.esc(v.signature))</td></tr>"
            if let r = v.redaction {
                html +=
                    "<tr><th>Body</th><td><strong>Redacted</strong> by \(Self.who(r.author, names)) at \(Self.esc(r.time)): \(Self.esc(r.reason)) <a href=\"/event?id=\(r.id)\">(the redaction)</a></td></tr>"
            } else {
                html += "<tr><th>Body</th><td><pre>\(Self.esc(Self.pretty(v.body ?? .null)))</pre></td></tr>"
            }
            html += "<tr><th>Envelope</th><td><pre>\(Self.esc(Self.pretty(v.envelope)))</pre></td></tr></table>"
            return Self.html("Event \(e.id.prefix(12))", html)
        }
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
