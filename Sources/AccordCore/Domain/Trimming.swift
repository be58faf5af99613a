/// White-space trimming on the hot paths (every event's payload is checked on ingest and
/// projection): the same sets as Foundation's `CharacterSet.whitespaces` and
/// `.whitespacesAndNewlines`, without Foundation's bridging, and without a copy when
/// there is nothing to trim.
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (`CharacterSet.whitespaces`).
    public func trimmingSpaces() -> String { trimming(newlines: false) }

    /// Without leading and trailing spaces, tabs and line breaks (`CharacterSet.whitespacesAndNewlines`).
    public func trimmingSpacesAndNewlines() -> String { trimming(newlines: true) }

    private func trimming(newlines: Bool) -> String {
        func trims(_ s: Unicode.Scalar) -> Bool {
            // Foundation's set also holds the zero-width space.
            if s == "\t" || s == "\u{200B}" || s.properties.generalCategory == .spaceSeparator { return true }
            guard newlines else { return false }
            switch s.value {
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
            default: return false
            }
        }
        let string = String(self)
        let scalars = string.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !trims(first) && !trims(last) { return string }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, trims(scalars[start]) { start = scalars.index(after: start) }
        while end > start, trims(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
