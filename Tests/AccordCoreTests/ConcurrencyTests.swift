import AccordCore
import AccordTestSupport
import Foundation
import Synchronization
import Testing

/// The pipeline and the parallel map: order kept, and nothing left running afterwards.
@Suite struct ConcurrencyTests {
    struct Stop: Error {}

    /// The byte budget of a streaming ingest: a producer waits while the bytes in flight would
    /// pass the limit, goes on when the consumer gives some back, passes alone with an item
    /// larger than the whole budget, and is woken for good by `cancel`.
    @Test func aByteBudgetHoldsTheProducerBackUntilBytesComeBack() throws {
        let budget = ByteBudget(limit: 100)
        #expect(budget.acquire(60))
        let passed = Mutex(false)
        let waiter = Thread {
            _ = budget.acquire(60)
            passed.withLock { $0 = true }
        }
        waiter.start()
        // It waits (for room, not for a fixed time) and has not passed.
        #expect(eventuallySync { budget.waiters == 1 })
        #expect(passed.withLock { $0 } == false, "took 120 of a budget of 100")
        budget.release(60)
        #expect(eventuallySync { passed.withLock { $0 } })
        budget.release(60)
        #expect(budget.acquire(500))  // alone, larger than the budget
        let cancelled = Mutex<Bool?>(nil)
        Thread { cancelled.withLock { $0 = budget.acquire(1) } }.start()
        #expect(eventuallySync { budget.waiters == 1 })
        budget.cancel()
        #expect(eventuallySync { cancelled.withLock { $0 } != nil })
        #expect(cancelled.withLock { $0 } == false)
    }

    @Test func pipelineKeepsProductionOrder() throws {
        var seen: [Int] = []
        try OrderedPipeline.run(
            workers: 3, maxInFlight: 8,
            produce: { emit in
                for k in 0..<2_000 { guard emit(k) else { return } }
            },
            transform: { k in k * 2 },
            consume: { seen.append($0) })
        #expect(seen == (0..<2_000).map { $0 * 2 })
    }

    /// The consumer fails at the tenth item: the producer is told to stop (it does not make
    /// the other million items), and `run` returns only after every thread has ended.
    @Test func aFailingConsumerStopsTheProducerAndJoinsEveryThread() throws {
        let produced = Mutex(0)
        let producerEnded = Mutex(false)
        let transformsRunning = Mutex(0)
        #expect(throws: Stop.self) {
            try OrderedPipeline.run(
                workers: 2, maxInFlight: 16,
                produce: { emit in
                    defer { producerEnded.withLock { $0 = true } }
                    for k in 0..<1_000_000 {
                        guard emit(k) else { return }
                        produced.withLock { $0 += 1 }
                    }
                },
                transform: { k in
                    transformsRunning.withLock { $0 += 1 }
                    defer { transformsRunning.withLock { $0 -= 1 } }
                    Thread.sleep(forTimeInterval: 0.0005)
                    return k
                },
                consume: { k in if k == 9 { throw Stop() } })
        }
        // Joined: the producer has returned and no transform is still running.
        #expect(producerEnded.withLock { $0 })
        #expect(transformsRunning.withLock { $0 } == 0)
        // Stopped: at most what fits in flight beyond the ten consumed.
        #expect(produced.withLock { $0 } <= 10 + 16 + 2)
    }

    /// A producer that waits for its input outside `emit` (a stream's next batch) is woken
    /// by `onCancel` when the consumer fails: `run` returns without waiting for more input.
    @Test func aProducerWaitingForInputIsWokenOnCancel() throws {
        let input = DispatchSemaphore(value: 0)
        let woken = Mutex(false)
        #expect(throws: Stop.self) {
            try OrderedPipeline.run(
                workers: 1, maxInFlight: 4,
                produce: { emit in
                    guard emit(1) else { return }
                    input.wait()  // no more input ever comes, unless the pipeline is cancelled
                    _ = emit(2)
                },
                onCancel: {
                    woken.withLock { $0 = true }
                    input.signal()
                },
                transform: { $0 },
                consume: { _ in throw Stop() })
        }
        #expect(woken.withLock { $0 })
    }

    @Test func parallelMapKeepsOrder() {
        let items = Array(0..<10_000)
        #expect(Parallel.map(items, minChunk: 16) { $0 &* 31 } == items.map { $0 &* 31 })
    }
}

/// NDJSON split as it arrives, whatever the pieces: numbered lines, blank lines numbered but
/// not handed out, a CR dropped, an over-long line reported and skipped without being kept.
@Suite struct NDJSONLineSplitterTests {
    @Test func linesAreTheSameWhateverThePieces() {
        let text = Array("{\"a\":1}\r\n\n   \n\(String(repeating: "x", count: 30))\n{\"b\":2}\n{\"c\":3}".utf8)
        let expected: [NDJSONLineSplitter.Piece] = [
            .line(number: 1, bytes: Array("{\"a\":1}".utf8)), .tooLong(number: 4), .line(number: 5, bytes: Array("{\"b\":2}".utf8)),
            .line(number: 6, bytes: Array("{\"c\":3}".utf8)),
        ]
        for size in [1, 2, 3, 7, 64] {
            var splitter = NDJSONLineSplitter(maxLineBytes: 10)
            var out: [NDJSONLineSplitter.Piece] = []
            var k = 0
            while k < text.count {
                splitter.feed(text[k..<min(k + size, text.count)]) { out.append($0) }
                k += size
            }
            splitter.finish { out.append($0) }
            #expect(out == expected, "pieces of \(size)")
        }
    }
}
