/// Sizes as operators write them: `500MB`, `2GiB`, `1.5G`, `1048576`.
public enum ByteSize {
    /// The number of bytes, or nil when `text` is no positive size. Decimal units (KB, MB,
    /// GB, TB) are powers of 1000, binary ones (KiB, MiB, GiB, TiB, and a bare K, M, G, T)
    /// powers of 1024; B or nothing is bytes. Case and a space before the unit do not matter.
    public static func parse(_ text: String) -> Int64? {
        let t = text.trimmingSpaces().lowercased()
        let unitStart = t.firstIndex { !($0.isNumber || $0 == ".") } ?? t.endIndex
        let number = String(t[..<unitStart])
        let unit = String(t[unitStart...]).trimmingSpaces()
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII }), let value = Double(number), value > 0 else { return nil }
        let factors: [String: Double] = [
            "": 1, "b": 1,
            "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
            "k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776,
            "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
        ]
        guard let factor = factors[unit] else { return nil }
        let bytes = value * factor
        guard bytes >= 1, bytes < 9e18 else { return nil }
        return Int64(bytes)
    }
}
