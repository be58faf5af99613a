/// A UN resolution's document symbol, validated and normalised:
/// General Assembly `A/RES/<session>/<number>`, Security Council `S/RES/<number> (<year>)`.
public struct ResolutionSymbol: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Body: String, Sendable, CaseIterable, Codable {
        case ga = "GA"
        case sc = "SC"
    }

    public let body: Body
    /// GA: session; SC: resolution number.
    public let first: Int
    /// GA: resolution number; SC: year of adoption (nil until known).
    public let second: Int?

    public static let acceptedForms =
        "accepted forms: A/RES/<session>/<number> (e.g. A/RES/71/19) and S/RES/<number> (<year>) (e.g. S/RES/2482 (2019)); S/RES/<number> alone when the year is known"

    /// The normalised text: `A/RES/71/19`, `S/RES/2482 (2019)` (or `S/RES/2482` while the year is unknown).
    public var description: String {
        switch body {
        case .ga: return "A/RES/\(first)/\(second!)"
        case .sc: return second.map { "S/RES/\(first) (\($0))" } ?? "S/RES/\(first)"
        }
    }

    /// The year-free identity: two spellings of one resolution share it (`S/RES/2482`).
    public var key: String {
        switch body {
        case .ga: return description
        case .sc: return "S/RES/\(first)"
        }
    }

    public var isComplete: Bool { second != nil }

    /// Year the resolution belongs to: SC year, or the year a GA session opened (1945 + session).
    public var year: Int? {
        switch body {
        case .ga: return 1945 + first
        case .sc: return second
        }
    }

    public init(ga session: Int, _ number: Int) {
        body = .ga
        first = session
        second = number
    }

    public init(sc number: Int, year: Int?) {
        body = .sc
        first = number
        second = year
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.body.rawValue, a.first, a.second ?? 0) < (b.body.rawValue, b.first, b.second ?? 0)
    }

    /// Parses user or payload text. Accepts extra spaces and lowercase, `A/RES/71/19`,
    /// `S/RES/2482 (2019)`, `S/RES/2482(2019)` and `S/RES/2482`.
    public init(parsing raw: String) throws(DomainError) {
        let text = raw.trimmingSpaces().uppercased()
        func number(_ s: Substring) -> Int? {
            guard !s.isEmpty, s.count <= 6, s.allSatisfy(\.isASCIIDigit), let n = Int(s), n > 0 else { return nil }
            return n
        }
        if text.hasPrefix("A/RES/") {
            let parts = text.dropFirst(6).split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, let s = number(parts[0]), let n = number(parts[1]) {
                self.init(ga: s, n)
                return
            }
        } else if text.hasPrefix("S/RES/") {
            var rest = text.dropFirst(6)
            var year: Int?
            if let open = rest.firstIndex(of: "(") {
                guard rest.hasSuffix(")") else { throw DomainError("malformed symbol \"\(raw)\"; \(Self.acceptedForms)") }
                let y = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
                guard let yy = number(y), (1946...2200).contains(yy) else {
                    throw DomainError("malformed year in symbol \"\(raw)\"; \(Self.acceptedForms)")
                }
                year = yy
                rest = rest[..<open]
            }
            if let n = number(Substring(rest.trimmingSpaces())) {
                self.init(sc: n, year: year)
                return
            }
        }
        throw DomainError("malformed symbol \"\(raw)\"; \(Self.acceptedForms)")
    }

    /// The same symbol with its year filled in (SC only).
    /// Why an adoption date contradicts this symbol (a Security Council symbol carries its
    /// year), or nil.
    public func contradiction(adopted: String) -> String? {
        guard body == .sc, let year = second, let adoptedYear = Int(adopted.prefix(4)), adoptedYear != year else { return nil }
        return "adopted \(adopted) is in \(adoptedYear), but \(self) is a resolution of \(year); correct the date or the symbol's year"
    }

    public func completed(year: Int?) -> ResolutionSymbol {
        guard body == .sc, second == nil, let year else { return self }
        return ResolutionSymbol(sc: first, year: year)
    }

    /// A link target: a symbol, or for the Security Council a bare resolution number.
    public static func linkTarget(_ raw: String) throws(DomainError) -> ResolutionSymbol {
        let t = raw.trimmingSpaces()
        if !t.isEmpty, t.allSatisfy(\.isASCIIDigit), let n = Int(t), n > 0 { return ResolutionSymbol(sc: n, year: nil) }
        return try ResolutionSymbol(parsing: t)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// A domain rule was broken; the message says which and what is accepted.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
