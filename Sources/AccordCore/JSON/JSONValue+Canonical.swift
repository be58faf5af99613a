/// RFC 8785 (JCS) serialisation.
extension JSONValue {
    /// The canonical UTF-8 bytes of this value (RFC 8785).
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeCanonical(into: &out)
        return out
    }

    /// The canonical form as a `String`.
    public var canonicalString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    public func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let d): out.append(contentsOf: JSONNumber.format(d).utf8)
        case .string(let s): JSONValue.writeCanonicalString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (k, key) in keys.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeCanonicalString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes a string with the JCS escaping rules: `"` and `\` escaped, the
    /// control characters as `\b \t \n \f \r` or `\u00xx`, everything else as UTF-8.
    public static func writeCanonicalString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// Two-space indented JSON with members in RFC 8785 order (files people read:
    /// vectors, records); the values are written as in the canonical form.
    public func prettyString(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + $0.prettyString(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let m) where !m.isEmpty:
            let keys = m.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            return "{\n"
                + keys.map { inner + JSONValue.string($0).canonicalString + ": " + m[$0]!.prettyString(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return canonicalString
        }
    }
}

/// Number serialisation as ECMAScript's `Number.prototype.toString` (ECMA-262
/// 7.1.12.1), which RFC 8785 adopts.
public enum JSONNumber {
    public static func format(_ value: Double) -> String {
        precondition(value.isFinite, "JSON numbers are finite")
        if value == 0 { return "0" }
        if value < 0 { return "-" + format(-value) }
        // Swift's description yields the shortest digits that round-trip, closest to the value.
        let (digits, n) = decompose(value.description)
        let k = digits.count
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let idx = digits.index(digits.startIndex, offsetBy: n)
            return digits[..<idx] + "." + digits[idx...]
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let exp = (e < 0 ? "-" : "+") + String(abs(e))
        if k == 1 { return digits + "e" + exp }
        return String(digits.first!) + "." + digits.dropFirst() + "e" + exp
    }

    /// Splits Swift's shortest representation into significant digits `s` and the
    /// position `n` of the decimal point, so that value = 0.s x 10^n.
    static func decompose(_ text: String) -> (String, Int) {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Array(intPart + fracPart)
        var point = intPart.count + exponent
        while let f = digits.first, f == "0", digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while let l = digits.last, l == "0", digits.count > 1 { digits.removeLast() }
        return (String(digits), point)
    }
}
