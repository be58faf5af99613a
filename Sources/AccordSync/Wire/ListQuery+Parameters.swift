import AccordCore
public import AccordStore
import Foundation

/// The list query as the API and the web UI take it, in query parameters (`body`, `year`,
/// `topic`, `status`, `sort`, `limit`, `offset`; empty means absent). The CLI builds the typed
/// `Curation.ListQuery` itself.
public struct ListRequest: Decodable, Sendable, Equatable {
    public var query = Curation.ListQuery()

    public init(_ query: Curation.ListQuery = .init()) { self.query = query }

    enum CodingKeys: String, CodingKey { case body, year, topic, status, sort, limit, offset }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ k: CodingKeys) throws -> String? {
            try c.decodeIfPresent(String.self, forKey: k).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func int(_ k: CodingKeys) throws -> Int? {
            guard let v = try value(k) else { return nil }
            guard let n = Int(v) else { throw InvalidInput("\(k.stringValue) must be a whole number, got \"\(v.prefix(20))\"") }
            return n
        }
        func one<T: RawRepresentable & CaseIterable>(_ k: CodingKeys, _: T.Type, _ raw: (String) -> String = { $0 }) throws -> T?
        where T.RawValue == String {
            guard let v = try value(k) else { return nil }
            guard let x = T(rawValue: raw(v)) else {
                throw InvalidInput("\(k.stringValue) is \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(v.prefix(20))\"")
            }
            return x
        }
        query.body = try one(.body, ResolutionSymbol.Body.self) { $0.uppercased() }
        query.year = try int(.year)
        query.topic = try value(.topic)
        if let s = try one(.status, Curation.ListStatus.self) { query.status = s }
        if let o = try one(.sort, Curation.ListOrder.self) { query.order = o }
        if let l = try int(.limit) { query.limit = l }
        if let o = try int(.offset) { query.offset = o }
    }
}
