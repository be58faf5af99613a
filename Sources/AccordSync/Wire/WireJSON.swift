public import AccordCore
import Foundation

/// The JSON of the wire messages (pull requests, page ends, push results, drafts
/// requests): Codable types, read and written here once.
public enum WireJSON {
    /// A message as its wire bytes: JSON with sorted keys (so a page end starts with
    /// `{"dataset"` or `{"end"`).
    public static func encode(_ message: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The messages' values are strings, integers and booleans: encoding cannot fail.
        return (try? [UInt8](encoder.encode(message))) ?? []
    }

    /// A peer's message, or why it cannot be read ("pull request: at forks: ...").
    public static func decode<Message: Decodable>(_ type: Message.Type, from bytes: [UInt8]) throws(DomainError) -> Message {
        // First as the product reads any JSON: one name per member, valid UTF-8, bounded depth.
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            throw DomainError("not JSON: \(error.description)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let e as DomainError {
            throw e
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw DomainError("not JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
        } catch let e as DecodingError {
            throw DomainError(describe(e))
        } catch {
            throw DomainError("\(error)")
        }
    }

    /// A decoding error as a person reads it: where, and what was wrong.
    public static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : "at \(path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")): "
        }
        switch error {
        case .keyNotFound(let key, let c): return "\(at(c.codingPath))\(key.stringValue) is required"
        case .typeMismatch(let type, let c): return "\(at(c.codingPath))expected \(type)"
        case .valueNotFound(let type, let c): return "\(at(c.codingPath))expected \(type), got null"
        case .dataCorrupted(let c): return "\(at(c.codingPath))\(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

}
