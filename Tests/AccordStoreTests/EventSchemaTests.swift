import AccordCore
import AccordTestSupport
import Foundation
import Testing

/// The JSON Schemas in Events/schemas describe the bodies the node accepts: each example
/// in Events/examples conforms to its type's schema, and the same example broken (a member
/// dropped, an unknown one added, a value of the wrong type) does not.
@Suite struct EventSchemaTests {
    static let events = Repository.root.appendingPathComponent("Events")

    static var examples: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: events.appendingPathComponent("examples").path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    static func load(_ path: String) throws -> JSONValue {
        try JSONParser.parse([UInt8](Data(contentsOf: events.appendingPathComponent(path))))
    }

    @Test func thereAreExamplesForEverySchema() throws {
        let schemas = try FileManager.default.contentsOfDirectory(atPath: Self.events.appendingPathComponent("schemas").path)
        #expect(schemas.count == 14)
        for schema in schemas {
            let type = schema.replacingOccurrences(of: ".schema.json", with: "")
            #expect(Self.examples.contains { $0.hasPrefix(type) }, "no example for \(schema)")
        }
    }

    @Test(arguments: examples) func theExampleConformsAndBrokenCopiesDoNot(_ name: String) throws {
        let example = try Self.load("examples/" + name)
        let type = try #require(example["type"]?.stringValue)
        let version = try #require(example["schema"]?.intValue)
        let check = JSONSchemaCheck(root: try Self.load("schemas/\(type).v\(version).schema.json"))
        let body = try #require(example["body"])
        #expect(check.errors(body).isEmpty, "\(name): \(check.errors(body))")
        guard case .object(var members) = body else {
            Issue.record("\(name): the body is not an object")
            return
        }
        members["unexpected"] = .string("x")
        #expect(!check.errors(.object(members)).isEmpty, "\(name): an unknown member passes")
        members["unexpected"] = nil
        for key in members.keys.sorted() {
            var broken = members
            broken[key] = .array([.array([])])
            #expect(!check.errors(.object(broken)).isEmpty, "\(name): \(key) as [[]] passes")
        }
        if let required = check.root["required"]?.arrayValue?.compactMap(\.stringValue), let first = required.first {
            var missing = members
            missing[first] = nil
            #expect(!check.errors(.object(missing)).isEmpty, "\(name): a body without \(first) passes")
        }
    }
}
