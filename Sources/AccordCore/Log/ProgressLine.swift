/// The one-line progress of long work, as `git clone` shows it:
/// `import: 120,000 / 1,000,000 events (12%), 8,400 events/s, 1m45s left`.
public enum ProgressLine {
    public static func text(label: String, done: Int, total: Int?, unit: String = "events", seconds: Double) -> String {
        var s = "\(label): \(grouped(done))"
        if let total, total > 0 {
            s += " / \(grouped(total)) \(unit) (\(min(100, done * 100 / total))%)"
        } else {
            s += " \(unit)"
        }
        guard seconds > 0.2, done > 0 else { return s }
        let rate = Double(done) / seconds
        s += ", \(grouped(Int(rate.rounded()))) \(unit)/s"
        if let total, total > done, rate > 0 {
            s += ", " + duration(Double(total - done) / rate) + " left"
        }
        return s
    }

    /// `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `45s`, `1m45s`, `2h05m`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
        return "\(s / 3600)h\(two(s % 3600 / 60))m"
    }
}
