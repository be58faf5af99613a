import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// One `author` call ticks its whole batch at one wall-clock time: the stored times must
/// still strictly increase past the counter's five digits, and as-of cut-offs must order them.
@Suite struct ClockOrderTests {
    @Test func a250000EventCallKeepsTimesStrictlyIncreasing() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        let wall: Int64 = 1_795_700_000_000
        let n = 250_000
        let drafts = (0..<n).map { EventDraft(type: "bench.note", subject: "A/RES/71/19", body: ["n": .int($0)]) }
        let out = try log.author(drafts, key: Fixtures.bob, wallMillis: wall)
        #expect(out.count == n && out.allSatisfy(\.isAccepted))
        let times = try log.pool.read { db in
            try String.fetchAll(db, sql: "SELECT time FROM events WHERE author = ? ORDER BY seq", arguments: [Fixtures.bob.author.text])
        }
        #expect(times.count == n)
        var previous = ""
        var parsedPrevious = HLCTime(millis: 0)
        for t in times {
            guard t > previous, let parsed = HLCTime(t), parsedPrevious < parsed else {
                Issue.record("time order breaks: \(previous) then \(t)")
                return
            }
            previous = t
            parsedPrevious = parsed
        }
        // 250,000 ticks need three milliseconds' worth of counters; none wrapped.
        #expect(HLCTime(times.last!)!.millis >= wall + 2)
        // A cut-off at the last time of the first millisecond counts exactly the events before the carry.
        let cut = Cutoff(time: HLCTime(millis: HLCTime(times[0])!.millis, counter: HybridLogicalClock.maxCounter))
        let counted = times.filter { cut.admits(time: $0, id: String(repeating: "0", count: 64)) }.count
        #expect(counted == times.firstIndex { HLCTime($0)!.millis > HLCTime(times[0])!.millis }!)
    }
}
