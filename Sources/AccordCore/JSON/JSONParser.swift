/// Why a JSON text was refused, and where: `offset` is the 0-based byte position.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser that also enforces what RFC 8785 (I-JSON) requires:
/// unique member names, no lone surrogates, valid UTF-8, finite numbers.
public struct JSONParser {
    /// A top-level object member with the byte range of its value, so callers can keep
    /// the exact bytes they received.
    public struct Member: Sendable {
        public let key: String
        public let value: JSONValue
        public let range: Range<Int>
    }

    public static let maxDepth = 200

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses one complete JSON text.
    public static func parse(_ data: [UInt8]) throws(JSONParseError) -> JSONValue {
        try data.withUnsafeBufferPointer { (buf: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue in
            var p = JSONParser(buf)
            p.skipWhitespace()
            let v = try p.parseValue()
            p.skipWhitespace()
            if p.i != buf.count { throw p.error("unexpected content after the JSON value") }
            return v
        }
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses a JSON text that must be an object and returns its members with the byte
    /// ranges of their values, in document order.
    public static func parseTopLevelMembers(_ data: [UInt8]) throws(JSONParseError) -> [Member] {
        try data.withUnsafeBufferPointer { (buf: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> [Member] in
            var p = JSONParser(buf)
            p.skipWhitespace()
            guard p.i < buf.count, buf[p.i] == UInt8(ascii: "{") else {
                throw JSONParseError(offset: p.i, reason: "expected a JSON object")
            }
            p.i += 1
            p.depth = 1
            var members: [Member] = []
            var seen = Set<String>()
            p.skipWhitespace()
            if p.peek == UInt8(ascii: "}") {
                p.i += 1
            } else {
                while true {
                    p.skipWhitespace()
                    let keyStart = p.i
                    guard p.peek == UInt8(ascii: "\"") else { throw p.error("expected a member name in quotes") }
                    let key = try p.parseString()
                    if !seen.insert(key).inserted {
                        throw JSONParseError(offset: keyStart, reason: "duplicate member name \"\(key)\"")
                    }
                    p.skipWhitespace()
                    try p.expect(UInt8(ascii: ":"))
                    p.skipWhitespace()
                    let start = p.i
                    let v = try p.parseValue()
                    members.append(Member(key: key, value: v, range: start..<p.i))
                    p.skipWhitespace()
                    if p.peek == UInt8(ascii: ",") {
                        p.i += 1
                        continue
                    }
                    if p.peek == UInt8(ascii: "}") {
                        p.i += 1
                        break
                    }
                    throw p.error("expected ',' or '}' in object")
                }
            }
            p.skipWhitespace()
            if p.i != buf.count { throw p.error("unexpected content after the JSON value") }
            return members
        }
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private func error(_ reason: String) -> JSONParseError {
        if i >= bytes.count { return JSONParseError(offset: i, reason: reason + " (unexpected end of input)") }
        return JSONParseError(offset: i, reason: reason)
    }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func expect(_ c: UInt8) throws(JSONParseError) {
        guard peek == c else { throw error("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard let c = peek else { throw error("expected a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("NaN and Infinity are not valid JSON numbers")
        default:
            throw error("unexpected character \(describe(c))")
        }
    }

    private func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "0x" + String(c, radix: 16)
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for (k, b) in w.enumerated() {
            guard i + k < bytes.count, bytes[i + k] == b else {
                i += k
                throw error("invalid literal (expected \(word))")
            }
        }
        i += w.count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maxDepth { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let keyStart = i
            guard peek == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let v = try parseValue()
            if members.updateValue(v, forKey: key) != nil {
                throw JSONParseError(offset: keyStart, reason: "duplicate member name \"\(key)\"")
            }
            skipWhitespace()
            guard let c = peek else { throw error("unterminated object") }
            if c == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if c == UInt8(ascii: "}") {
                i += 1
                return .object(members)
            }
            throw error("expected ',' or '}' in object")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard let c = peek else { throw error("unterminated array") }
            if c == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if c == UInt8(ascii: "]") {
                i += 1
                return .array(items)
            }
            throw error("expected ',' or ']' in array")
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        guard let first = peek, first >= 0x30 && first <= 0x39 else { throw error("expected a digit") }
        if first == 0x30 {
            i += 1
            if let c = peek, c >= 0x30 && c <= 0x39 { throw error("leading zeros are not allowed") }
        } else {
            while let c = peek, c >= 0x30 && c <= 0x39 { i += 1 }
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard let c = peek, c >= 0x30 && c <= 0x39 else { throw error("expected a digit after '.'") }
            while let c = peek, c >= 0x30 && c <= 0x39 { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard let c = peek, c >= 0x30 && c <= 0x39 else { throw error("expected a digit in exponent") }
            while let c = peek, c >= 0x30 && c <= 0x39 { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let d = Double(text) else { throw JSONParseError(offset: start, reason: "invalid number") }
        guard d.isFinite else {
            throw JSONParseError(offset: start, reason: "number \(text) is out of the IEEE 754 double range")
        }
        return d
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek else { throw error("unterminated \\u escape") }
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let open = i
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError(offset: start + firstInvalidUTF8(slice), reason: "invalid UTF-8 in string")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("unescaped control character \(describe(c)) in string") }
            i += 1
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while true {
            guard i < bytes.count else {
                throw JSONParseError(offset: open, reason: "unterminated string (unexpected end of input)")
            }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                break
            }
            if c < 0x20 { throw error("unescaped control character \(describe(c)) in string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            let escStart = i
            i += 1
            guard let e = peek else { throw error("unterminated escape") }
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw JSONParseError(offset: escStart, reason: "lone high surrogate \\u\(hex4(scalar))")
                    }
                    i += 2
                    let low = try parseHex4()
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw JSONParseError(offset: escStart, reason: "high surrogate \\u\(hex4(scalar)) not followed by a low surrogate")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw JSONParseError(offset: escStart, reason: "lone low surrogate \\u\(hex4(scalar))")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                throw JSONParseError(offset: escStart, reason: "invalid escape \\\(describe(e))")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw JSONParseError(offset: start, reason: "invalid UTF-8 in string")
        }
        return s
    }

    private func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    private func firstInvalidUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Int {
        var k = 0
        while k < s.count {
            let c = s[k]
            let n: Int
            if c < 0x80 {
                n = 1
            } else if c & 0xE0 == 0xC0 {
                n = 2
            } else if c & 0xF0 == 0xE0 {
                n = 3
            } else if c & 0xF8 == 0xF0 {
                n = 4
            } else {
                return k
            }
            if k + n > s.count { return k }
            if String(validating: UnsafeBufferPointer(rebasing: s[k..<k + n]), as: UTF8.self) == nil { return k }
            k += n
        }
        return k
    }
}
