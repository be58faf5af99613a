/// A JSON value as RFC 8785 sees it: numbers are IEEE 754 doubles, objects are
/// unordered maps with unique keys.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// Two values are equal when RFC 8785 gives them the same bytes: strings and member names
/// compare byte for byte, as signatures, the digest and every node compare them. (The
/// synthesised `==` used Swift's `String ==`, which calls an NFC "é" and an NFD "e\u{301}"
/// equal, so a value rewritten in the other form looked unchanged.)
extension JSONValue {
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)):
            x.count == y.count
                && x.allSatisfy { key, value in
                    guard let i = y.index(forKey: key) else { return false }
                    return y[i].key.utf8.elementsEqual(key.utf8) && y[i].value == value
                }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        func bytes(_ s: String, _ h: inout Hasher) {
            h.combine(s.utf8.count)
            for b in s.utf8 { h.combine(b) }
        }
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b):
            hasher.combine(1)
            hasher.combine(b)
        case .number(let d):
            hasher.combine(2)
            hasher.combine(d)
        case .string(let s):
            hasher.combine(3)
            bytes(s, &hasher)
        case .array(let a):
            hasher.combine(4)
            hasher.combine(a)
        case .object(let o):
            // Members in any order: a sum of each member's own hash.
            hasher.combine(5)
            hasher.combine(o.count)
            var sum = 0
            for (k, v) in o {
                var h = Hasher()
                bytes(k, &h)
                v.hash(into: &h)
                sum &+= h.finalize()
            }
            hasher.combine(sum)
        }
    }
}

extension JSONValue {
    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// The number as an `Int` when it is integral and exactly representable.
    public var intValue: Int? {
        guard case .number(let d) = self, d.rounded(.towardZero) == d, abs(d) <= 9_007_199_254_740_991 else {
            return nil
        }
        return Int(d)
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Builds `.number` from an integer.
    public static func int(_ value: Int) -> JSONValue { .number(Double(value)) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o: [String: JSONValue] = [:]
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}
