import Foundation
import Testing

@testable import AccordCore

/// Every example in Events/examples decodes as its type and re-encodes to the same
/// canonical bytes; every type has a schema.
@Suite struct EventCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Events")

    static let examples: [URL] =
        ((try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("examples"), includingPropertiesForKeys: nil)) ?? [])
        .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }

    @Test func everyTypeHasASchemaAndAnExample() throws {
        let types =
            [Envelope.genesisType] + DomainEvent.Kind.allCases.map(\.rawValue) + AuthorizationEvent.Kind.allCases.map(\.rawValue)
        for t in types {
            let schema = Self.root.appendingPathComponent("schemas/\(t).v1.schema.json")
            #expect(FileManager.default.fileExists(atPath: schema.path), "no schema for \(t)")
            if FileManager.default.fileExists(atPath: schema.path) {
                let s = try JSONParser.parse([UInt8](Data(contentsOf: schema)))
                #expect(s["type"] == "object")
            }
            #expect(Self.examples.contains { $0.lastPathComponent.hasPrefix(t + ".v1") }, "no example for \(t)")
        }
    }

    @Test(arguments: examples)
    func exampleRoundTrips(_ url: URL) throws {
        let e = try JSONParser.parse([UInt8](Data(contentsOf: url)))
        let type = e["type"]!.stringValue!
        let schema = e["schema"]!.intValue!
        let subject = e["subject"]?.stringValue
        let body = e["body"]!
        let draft: EventDraft
        if DomainEvent.isDomainType(type) {
            draft = try DomainEvent(type: type, schema: schema, subject: subject, body: body).draft
        } else if AuthorizationEvent.isAuthorizationType(type) {
            draft = try AuthorizationEvent(type: type, schema: schema, subject: subject, body: body).draft
        } else {
            #expect(type == Envelope.genesisType)
            draft = EventDraft.genesis(name: body["name"]!.stringValue!)
        }
        #expect(draft.type == type && draft.schema == schema && draft.subject == subject)
        // A node writes curation bodies salted (`BodySalt`); the typed event leaves the salt to the writer.
        let written = body[BodySalt.key]?.stringValue.map { draft.salted($0) } ?? draft
        #expect(DomainEvent.isDomainType(type) == (body[BodySalt.key] != nil), "\(url.lastPathComponent): salted as a node writes it")
        #expect(written.body.canonicalBytes == body.canonicalBytes, "\(url.lastPathComponent) re-encodes differently")
    }
}
