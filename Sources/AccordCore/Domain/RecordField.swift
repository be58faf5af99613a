import Foundation

/// The scalar fields of a resolution record. Each is a register with revisions.
public enum RecordField: String, Sendable, CaseIterable, Codable {
    case title, adopted, meeting, vote, summary, interpolRole, notes, text

    /// Fields indexed for full-text search.
    public static let searchable: [RecordField] = [.title, .summary, .interpolRole, .notes, .text]

    public init(parsing raw: String) throws(DomainError) {
        guard let f = RecordField(rawValue: raw) else {
            throw DomainError("unknown field \"\(raw)\"; fields: \(RecordField.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = f
    }

    /// Checks a value for this field and returns its normal form. `null` clears the field.
    public func validate(_ value: JSONValue) throws(DomainError) -> JSONValue {
        if case .null = value { return .null }
        // NUL ends a string in C, in terminals and in most tools a record reaches.
        if case .string(let s) = value, s.utf8.contains(0) { throw DomainError("\(rawValue) cannot hold a NUL character") }
        switch self {
        case .title, .summary, .interpolRole, .notes:
            guard case .string(let s) = value else { throw DomainError("\(rawValue) must be a string") }
            let t = s.trimmingSpacesAndNewlines()
            guard t.utf8.count <= 20_000 else { throw DomainError("\(rawValue) is longer than 20,000 bytes") }
            return t.isEmpty ? .null : .string(t)
        case .text:
            guard case .string(let s) = value else { throw DomainError("text must be a string") }
            guard s.utf8.count <= 1_000_000 else { throw DomainError("text is longer than 1,000,000 bytes") }
            return s.isEmpty ? .null : .string(s)
        case .adopted:
            guard case .string(let s) = value, let d = RecordField.date(s) else {
                throw DomainError(
                    value.stringValue.flatMap(RecordField.dateProblem) ?? "adopted must be a date YYYY-MM-DD, such as 2020-11-23")
            }
            return .string(d)
        case .meeting:
            guard let n = value.intValue, n > 0 else { throw DomainError("meeting must be a positive integer") }
            return .int(n)
        case .vote:
            return try Vote(json: value).json
        }
    }

    /// Parses command-line text into this field's value.
    public func parse(text: String) throws(DomainError) -> JSONValue {
        switch self {
        case .meeting:
            guard let n = Int(text.trimmingSpaces()) else { throw DomainError("meeting must be a positive integer") }
            return try validate(.int(n))
        case .vote: return try Vote(text: text).json
        default: return try validate(.string(text))
        }
    }

    static func date(_ s: String) -> String? { dateProblem(s) == nil ? s : nil }

    /// Why `s` is not an adoption date (in words a curator can act on), or nil when it is one.
    public static func dateProblem(_ s: String) -> String? {
        let u = Array(s.utf8)
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { $0 < u.count && u[$0] >= 0x30 && u[$0] <= 0x39 }
        guard u.count == 10, digits, u[4] == 0x2D, u[7] == 0x2D, let y = Int(s.prefix(4)), let m = Int(s.dropFirst(5).prefix(2)),
            let d = Int(s.suffix(2))
        else { return "adopted must be a date YYYY-MM-DD, such as 2020-11-23" }
        guard (1900...2200).contains(y) else { return "\(s) is not a date Accord takes: the year must be from 1900 to 2200" }
        guard (1...12).contains(m) else { return "\(s) is not a real date: there is no month \(m)" }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        guard (1...days[m - 1]).contains(d) else {
            return "\(s) is not a real date: \(months[m - 1]) \(y) has \(days[m - 1]) days"
        }
        return nil
    }
}

/// How a resolution was adopted.
public enum Vote: Sendable, Hashable {
    case adoptedWithoutVote
    case unanimous
    case recorded(yes: Int, no: Int, abstain: Int)

    public init(json: JSONValue) throws(DomainError) {
        guard case .object(let o) = json, let kind = o["kind"]?.stringValue else {
            throw DomainError("vote must be {\"kind\": \"adopted-without-vote\" | \"unanimous\" | \"recorded\", ...}")
        }
        switch kind {
        case "adopted-without-vote": self = .adoptedWithoutVote
        case "unanimous": self = .unanimous
        case "recorded":
            guard let y = o["yes"]?.intValue, let n = o["no"]?.intValue, let a = o["abstain"]?.intValue, y >= 0, n >= 0, a >= 0
            else { throw DomainError("a recorded vote needs non-negative integer yes, no and abstain counts") }
            self = .recorded(yes: y, no: n, abstain: a)
        default:
            throw DomainError("unknown vote kind \"\(kind)\"; kinds: adopted-without-vote, unanimous, recorded")
        }
    }

    /// `adopted-without-vote`, `unanimous` or `recorded:YES-NO-ABSTAIN` (e.g. `recorded:14-0-1`).
    public init(text: String) throws(DomainError) {
        let t = text.trimmingSpaces()
        switch t {
        case "adopted-without-vote": self = .adoptedWithoutVote
        case "unanimous": self = .unanimous
        default:
            let counts = t.hasPrefix("recorded:") ? t.dropFirst(9).split(separator: "-").compactMap { Int($0) } : []
            guard counts.count == 3, counts.allSatisfy({ $0 >= 0 }) else {
                throw DomainError("vote must be adopted-without-vote, unanimous or recorded:YES-NO-ABSTAIN (e.g. recorded:14-0-1)")
            }
            self = .recorded(yes: counts[0], no: counts[1], abstain: counts[2])
        }
    }

    public var json: JSONValue {
        switch self {
        case .adoptedWithoutVote: return ["kind": "adopted-without-vote"]
        case .unanimous: return ["kind": "unanimous"]
        case .recorded(let y, let n, let a): return ["kind": "recorded", "yes": .int(y), "no": .int(n), "abstain": .int(a)]
        }
    }

    public var text: String {
        switch self {
        case .adoptedWithoutVote: return "adopted-without-vote"
        case .unanimous: return "unanimous"
        case .recorded(let y, let n, let a): return "recorded:\(y)-\(n)-\(a)"
        }
    }
}
