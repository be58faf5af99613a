/// A C2SP tlog-tiles resource (c2sp.org/tlog-tiles): a hash tile `tile/<L>/<N>[.p/<W>]`
/// or an entry bundle `tile/entries/<N>[.p/<W>]`, tiles of height 8 (256 wide). `N` is
/// written in groups of three digits, each but the last prefixed with `x`
/// (1234067 is `x001/x234/067`).
public struct TilePath: Sendable, Equatable {
    public static let width = 256
    /// The highest tile level served: level 5 tiles cover 2^48 leaves each.
    public static let maxLevel = 5

    /// The tile level, nil for an entry bundle.
    public let level: Int?
    public let index: Int
    /// How many hashes (or entries) the tile holds: 256 for a full tile.
    public let count: Int

    public init(level: Int?, index: Int, count: Int = TilePath.width) {
        self.level = level
        self.index = index
        self.count = count
    }

    /// Reads the part after `tile/`, or says why it is not a tile path.
    public init(parsing path: String) throws(DomainError) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.count <= 10 else { throw DomainError("a tile is tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]") }
        let level: Int?
        if parts[0] == "entries" {
            level = nil
        } else {
            guard parts[0].count == 1, let l = Int(parts[0]), (0...Self.maxLevel).contains(l) else {
                throw DomainError("a tile level is 0 to \(Self.maxLevel), or entries")
            }
            level = l
        }
        parts.removeFirst()
        var count = Self.width
        if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
            let w = parts.removeLast()
            guard w.count <= 3, w.allSatisfy(\.isASCII), w.allSatisfy(\.isNumber), w.first != "0", let n = Int(w), n >= 1, n < Self.width
            else {
                throw DomainError("a partial tile's width is 1 to 255")
            }
            count = n
            parts[parts.count - 1].removeLast(2)
        }
        var index = 0
        for (k, part) in parts.enumerated() {
            let digits = k < parts.count - 1 ? (part.first == "x" ? part.dropFirst() : "") : Substring(part)
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let d = Int(digits) else {
                throw DomainError("a tile index is groups of three digits, each but the last after an x (x001/x234/067)")
            }
            guard index <= (Int.max - d) / 1000 else { throw DomainError("the tile index is too large") }
            index = index * 1000 + d
        }
        self.init(level: level, index: index, count: count)
    }

    /// The path after `tile/`.
    public var path: String {
        var groups: [String] = []
        var n = index
        repeat {
            let d = String(n % 1000)
            groups.insert(String(repeating: "0", count: 3 - d.count) + d, at: 0)
            n /= 1000
        } while n > 0
        let digits = groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
        let width = count == Self.width ? "" : ".p/\(count)"
        return (level.map(String.init) ?? "entries") + "/" + digits + width
    }

    /// The Merkle level of the tile's hashes (8 · L); 0 for entries.
    public var merkleLevel: Int { 8 * (level ?? 0) }
    /// The first hash (or leaf) the tile holds, at its Merkle level.
    public var first: Int { index * Self.width }

    /// Whether a tree of `size` leaves holds this tile whole: its `count` hashes (or entries).
    public func isHeld(inTreeOf size: Int) -> Bool {
        let available = size >> merkleLevel
        return index <= (Int.max / Self.width) - 1 && available >= first + count
    }
}
