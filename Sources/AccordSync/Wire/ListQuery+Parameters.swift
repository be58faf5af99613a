import AccordCore
public import AccordStore
import Foundation

// The list query as the API and the web UI take it, in query parameters.

extension Curation.ListQuery {
    /// Reads a query from text parameters (`body`, `year`, `topic`, `status`, `sort`,
    /// `limit`, `offset`), as the API, the web UI and the CLI take them; empty means absent.
    public init(parameters p: [String: String]) throws {
        self.init()
        func value(_ k: String) -> String? { p[k].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ k: String) throws -> Int? {
            guard let v = value(k) else { return nil }
            guard let n = Int(v) else { throw InvalidInput("\(k) must be a whole number, got \"\(v.prefix(20))\"") }
            return n
        }
        if let b = value("body") {
            guard let x = ResolutionSymbol.Body(rawValue: b.uppercased()) else {
                throw InvalidInput("body is GA or SC, got \"\(b.prefix(20))\"")
            }
            body = x
        }
        year = try int("year")
        topic = value("topic")
        if let s = value("status") {
            guard let x = Curation.ListStatus(rawValue: s) else {
                throw InvalidInput(
                    "status is \(Curation.ListStatus.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s.prefix(20))\"")
            }
            status = x
        }
        if let s = value("sort") {
            guard let x = Curation.ListOrder(rawValue: s) else {
                throw InvalidInput(
                    "sort is \(Curation.ListOrder.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s.prefix(20))\"")
            }
            order = x
        }
        if let l = try int("limit") { limit = l }
        if let o = try int("offset") { offset = o }
    }
}
