import Foundation

/// RFC 4180 CSV: fields separated by commas, quoted with `"` when they hold a comma,
/// quote, CR or LF (alone or as CRLF), quotes doubled.
///
/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, tab or
/// CR, the OWASP list) is written with a leading `'`, which spreadsheets show as text.
/// The rule round-trips: a cell that is one or more `'` followed by such a character is
/// written with one more `'`, and `decode` removes exactly one from such cells, so any
/// text comes back as it went out (Docs/records.md).
public enum CSV {
    public static func encode(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { cell in
                let f = neutralise(cell)
                return f.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// The characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
    static func isFormulaStart(_ u: Unicode.Scalar) -> Bool {
        u == "=" || u == "+" || u == "-" || u == "@" || u == "\t" || u == "\r"
    }

    /// Whether `cell` is zero or more `'` (at least `minQuotes`) then a formula character.
    static func looksLikeFormula(_ cell: String, minQuotes: Int) -> Bool {
        var quotes = 0
        for u in cell.unicodeScalars {
            if u == "'" {
                quotes += 1
                continue
            }
            return quotes >= minQuotes && isFormulaStart(u)
        }
        return false
    }

    /// `cell` as written: a leading `'` when a spreadsheet would run it (see the type).
    public static func neutralise(_ cell: String) -> String {
        looksLikeFormula(cell, minQuotes: 0) ? "'" + cell : cell
    }

    /// The inverse of `neutralise`.
    public static func restore(_ cell: String) -> String {
        looksLikeFormula(cell, minQuotes: 1) ? String(cell.unicodeScalars.dropFirst()) : cell
    }

    /// Joins list items into one cell with `;`; a `\`, `;` or `|` inside an item is
    /// escaped with a backslash so any text round-trips.
    public static func joinList(_ items: [String]) -> String {
        items.map(escape).joined(separator: ";")
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\\" || c == ";" || c == "|" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Splits a cell at unescaped `separator`s (at most `maxSplits` times). Escapes are
    /// removed, or kept with `keepEscapes` for parts that are split again.
    public static func splitList(
        _ cell: String, separator: Character = ";", maxSplits: Int = .max, keepEscapes: Bool = false
    ) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in cell {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                if keepEscapes { current.append(c) }
                escaped = true
            } else if c == separator && parts.count < maxSplits {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        return parts.filter { !$0.isEmpty }
    }

    /// Parses CSV text into rows, cells restored from their neutralised form; a leading
    /// UTF-8 byte-order mark (what spreadsheets write for "CSV UTF-8") is skipped. Errors
    /// name the 1-based line.
    public static func decode(_ text: String) throws(DomainError) -> [[String]] {
        try decodeWithoutRestoring(text).map { $0.map(restore) }
    }

    /// The cells as written, neutralised form kept (what a spreadsheet would see).
    public static func decodeWithoutRestoring(_ text: String) throws(DomainError) -> [[String]] {
        try decodeRaw(text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text)
    }

    static func decodeRaw(_ text: String) throws(DomainError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var it = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending {
                pending = nil
                return p
            }
            return it.next()
        }
        var atFieldStart = true
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = n
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    if c.unicodeScalars.contains("\n") { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case ",":
                row.append(field)
                field = ""
                atFieldStart = true
            case "\r\n", "\n", "\r":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                atFieldStart = true
                line += 1
            default:
                if c == "\"" { throw DomainError("line \(line): a quote inside an unquoted field") }
                field.append(c)
                atFieldStart = false
            }
        }
        if quoted { throw DomainError("line \(line): unterminated quoted field") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows.filter { !($0.count == 1 && $0[0].isEmpty) }
    }
}
