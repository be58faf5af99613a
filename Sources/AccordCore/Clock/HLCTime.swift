import Foundation

/// A hybrid logical clock reading: wall-clock milliseconds plus a counter that
/// orders events created within the same millisecond or against a clock that
/// runs behind. Text form: `2026-11-26T14:46:55.123Z#00000` (fixed width, so
/// the text sorts like the time).
public struct HLCTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millis: Int64
    public let counter: Int

    public init(millis: Int64, counter: Int = 0) {
        self.millis = millis
        self.counter = counter
    }

    public static func < (a: HLCTime, b: HLCTime) -> Bool {
        (a.millis, a.counter) < (b.millis, b.counter)
    }

    public var description: String {
        var t = time_t(millis / 1000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        // Fixed-width, written digit by digit: this runs once per authored event.
        var out = [UInt8](repeating: 0, count: 30)
        func put(_ v: Int, _ at: Int, _ width: Int) {
            var v = v
            for k in stride(from: at + width - 1, through: at, by: -1) {
                out[k] = UInt8(0x30 + v % 10)
                v /= 10
            }
        }
        put(Int(tmv.tm_year) + 1900, 0, 4)
        out[4] = 0x2D
        put(Int(tmv.tm_mon) + 1, 5, 2)
        out[7] = 0x2D
        put(Int(tmv.tm_mday), 8, 2)
        out[10] = 0x54
        put(Int(tmv.tm_hour), 11, 2)
        out[13] = 0x3A
        put(Int(tmv.tm_min), 14, 2)
        out[16] = 0x3A
        put(Int(tmv.tm_sec), 17, 2)
        out[19] = 0x2E
        put(Int(millis % 1000), 20, 3)
        out[23] = 0x5A
        out[24] = 0x23
        put(counter, 25, 5)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the text form; also accepts a plain ISO 8601 UTC time (`2026-11-26T14:46:55Z`,
    /// optional milliseconds) or a date (`2026-11-26`) for user input such as `--as-of`.
    public init?(_ text: String) {
        let u = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= u.count else { return nil }
            var v = 0
            for k in from..<from + len {
                let c = u[k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        func at(_ k: Int, _ c: Character) -> Bool { k < u.count && u[k] == c.asciiValue! }
        // Times before 1970 have no meaning in this log (and no text form that sorts).
        guard let y = num(0, 4), y >= 1970, at(4, "-"), let mo = num(5, 2), at(7, "-"), let d = num(8, 2),
            (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        var h = 0, mi = 0, s = 0, ms = 0, counter = 0
        var k = 10
        if k < u.count {
            guard at(10, "T"), let hh = num(11, 2), at(13, ":"), let mm = num(14, 2), at(16, ":"), let ss = num(17, 2),
                hh < 24, mm < 60, ss < 61
            else { return nil }
            h = hh; mi = mm; s = ss
            k = 19
            if at(k, ".") {
                guard let f = num(k + 1, 3) else { return nil }
                ms = f
                k += 4
            }
            guard at(k, "Z") else { return nil }
            k += 1
            if at(k, "#") {
                guard let c = num(k + 1, 5) else { return nil }
                counter = c
                k += 6
            }
            guard k == u.count else { return nil }
        }
        var tmv = tm()
        tmv.tm_year = Int32(y - 1900)
        tmv.tm_mon = Int32(mo - 1)
        tmv.tm_mday = Int32(d)
        tmv.tm_hour = Int32(h)
        tmv.tm_min = Int32(mi)
        tmv.tm_sec = Int32(s)
        let secs = timegm(&tmv)
        self.millis = Int64(secs) * 1000 + Int64(ms)
        self.counter = counter
    }
}

/// The clock state machine: `tick` for a local event, `observe` for a received one.
/// Wall time is passed in, so the clock replays the same way in tests.
public struct HybridLogicalClock: Sendable {
    public private(set) var last: HLCTime

    public init(last: HLCTime = HLCTime(millis: 0)) { self.last = last }

    /// The largest counter the text form holds (five digits).
    public static let maxCounter = 99_999
    /// How far ahead of this node's wall clock a received time may move its clock.
    public static let maxDriftMillis: Int64 = 5 * 60 * 1000

    /// The next local time: strictly after `last`. The counter never wraps: past its
    /// largest value the clock moves to the next millisecond.
    public mutating func tick(wallMillis: Int64) -> HLCTime {
        if wallMillis > last.millis {
            last = HLCTime(millis: wallMillis, counter: 0)
        } else if last.counter < Self.maxCounter {
            last = HLCTime(millis: last.millis, counter: last.counter + 1)
        } else {
            last = HLCTime(millis: last.millis + 1, counter: 0)
        }
        return last
    }

    /// Whether a received time may advance the clock: not beyond wall time plus the
    /// maximum drift (an event stamped in year 9999 must not drag every later local event there).
    public static func admits(_ t: HLCTime, wallMillis: Int64) -> Bool {
        t.millis <= wallMillis + maxDriftMillis
    }

    public mutating func observe(_ t: HLCTime, wallMillis: Int64) {
        if t > last && Self.admits(t, wallMillis: wallMillis) { last = t }
    }

    public static func wallMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
