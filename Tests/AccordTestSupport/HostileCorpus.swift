/// The one hostile corpus every output test sends through every path: strings that act on
/// terminals (C0/C1 controls, ESC/CSI/OSC sequences, BEL), that disguise text (bidi
/// overrides and isolates, zero-width characters), that split rows and lines (CR, LF,
/// CRLF, the Unicode separators), that spreadsheets run (formula prefixes), that compare
/// equal but differ in bytes (NFC/NFD), NUL, and values at the size limits.
public enum HostileCorpus {
    public static let controls: [String] = [
        "clear \u{1B}[2J\u{1B}[H screen", "title \u{1B}]0;pwned\u{07} set", "osc8 \u{1B}]8;;http://evil/\u{1B}\\link\u{1B}]8;;\u{1B}\\",
        "bell\u{07}", "back\u{08}\u{08}space", "c1 csi \u{9B}31m red", "c1 osc \u{9D}0;x\u{9C}", "del\u{7F}", "vt\u{0B}ff\u{0C}",
        "fake\r signature valid", "line\nsignature valid", "crlf\r\nsignature valid", "nel\u{85}next", "ls\u{2028}ps\u{2029}",
        "tab\there",
    ]
    public static let disguises: [String] = [
        "bidi \u{202E}txt.exe", "embed \u{202A}x\u{202C} \u{202B}y\u{202C}",
        "isolate \u{2066}a\u{2069} \u{2067}b\u{2069} \u{2068}c\u{2069}",
        "marks \u{200E}\u{200F}\u{061C}", "zw \u{200B}space \u{2060}joiner \u{FEFF}bom", "zwj 👩\u{200D}💻",
    ]
    public static let formulas: [String] = [
        "=HYPERLINK(\"http://evil\",\"click\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "'=already quoted", "''=twice", "'plain",
        "=cmd|' /C calc'!A0", "a,b", "say \"hi\"",
    ]
    public static let unicode: [String] = ["café (NFC)", "cafe\u{301} (NFD)", "Ω ohm \u{2126}", "日本語", "emoji 🇺🇳"]
    public static let nul = "nul\u{0}byte"
    /// The longest title, summary and notes a field takes (20,000 bytes), with an escape inside.
    public static let atLimit = String(repeating: "a", count: 19_990) + "\u{1B}[2J!!!!!"

    /// Every string a field can hold (NUL is refused: `nul`).
    public static var all: [String] { controls + disguises + formulas + unicode + [atLimit] }

    /// Whether `text` holds a character no output sink may emit raw to a terminal.
    public static func hasUnsafe(_ text: String) -> Bool {
        text.unicodeScalars.contains { u in
            switch u.value {
            case 0x0A, 0x09: false
            case 0x00...0x1F, 0x7F, 0x80...0x9F, 0x061C, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2060...0x2064,
                0x2066...0x2069, 0xFEFF:
                true
            default: false
            }
        }
    }
}
