/// Text for a terminal or a log line: the one rule for every byte Accord prints that came
/// from data or from a peer. Characters a terminal would act on or that disguise what is
/// shown — C0 controls other than line feed and tab, DEL, C1 controls, bidirectional
/// overrides, embeddings, isolates and marks, and invisible separators — are shown as
/// `\uXXXX` and never emitted. The escape is the JSON one, so JSON text passed through
/// `safe` stays exact JSON with the same value (such characters can only sit inside its
/// strings), and one exit serves human and `--json` output alike.
public enum TerminalText {
    /// `s` with every unsafe character shown as `\uXXXX`; line feeds and tabs are kept
    /// (the layout of multi-line output), see `oneLine` for values on one line.
    public static func safe(_ s: String) -> String {
        guard s.utf8.contains(where: mayNeedEscape) else { return s }
        var out = String.UnicodeScalarView()
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            if isUnsafe(u) { out.append(contentsOf: escape(u).unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }

    /// `s` for one line of output: also every line break (LF, CR, CRLF, VT, FF, NEL, the
    /// Unicode line and paragraph separators) and tab shown as `\uXXXX`, so a value cannot
    /// start a line that looks like the program's own.
    public static func oneLine(_ s: String) -> String {
        guard s.utf8.contains(where: { mayNeedEscape($0) || $0 == 0x0A || $0 == 0x09 }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isUnsafe(u) || isLineBreak(u) || u.value == 0x09 {
                out.append(contentsOf: escape(u).unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// Whether `u` is never emitted raw.
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        case 0x061C, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF:
            return true
        default: return false
        }
    }

    static func isLineBreak(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func escape(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// A cheap pre-check on UTF-8 bytes: ASCII controls, DEL, and the lead bytes of the
    /// two-byte C1 range (0xC2), U+061C (0xD8) and the three-byte ranges (0xE2, 0xEF).
    @inline(__always)
    static func mayNeedEscape(_ b: UInt8) -> Bool {
        (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2 || b == 0xEF
    }
}
