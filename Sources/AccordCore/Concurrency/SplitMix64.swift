/// SplitMix64: a small deterministic random number generator, so that a property-test case
/// or a benchmark's generated data replays exactly from its seed on every machine.
/// Not for anything secret (keys come from the system's generator).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0 ..< n (0 when n < 1).
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    /// A number in the range.
    public mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + int(r.count) }
    /// True with probability p.
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    public mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
}
