import Foundation

/// Base64url without padding (RFC 4648 section 5), as used for keys and signatures.
public enum Base64URL {
    public static func encode<D: DataProtocol>(_ data: D) -> String {
        var s = Data(data).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    /// Decodes strict base64url without padding; nil on any other character or on padding.
    public static func decode(_ text: String) -> Data? {
        guard text.utf8.allSatisfy({ c in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
        }) else { return nil }
        if text.utf8.count % 4 == 1 { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s.append("=") }
        guard let d = Data(base64Encoded: s) else { return nil }
        // Reject non-canonical encodings (stray bits in the last character).
        guard encode(d) == text else { return nil }
        return d
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var k = 0
        while k < u.count {
            guard let h = nibble(u[k]), let l = nibble(u[k + 1]) else { return nil }
            out.append(h << 4 | l)
            k += 2
        }
        return out
    }

    /// True for exactly 64 lowercase hex digits (a SHA-256 in our notation).
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
