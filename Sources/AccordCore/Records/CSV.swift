/// RFC 4180 CSV: fields separated by commas, quoted with `"` when they hold a comma,
/// quote or line break, quotes doubled.
public enum CSV {
    public static func encode(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { f in
                f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// Parses CSV text into rows; errors name the 1-based line.
    public static func decode(_ text: String) throws(DomainError) -> [[String]] {
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
                    if c == "\n" { line += 1 }
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
