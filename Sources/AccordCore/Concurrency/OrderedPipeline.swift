import Foundation

/// A three-stage pipeline on dedicated threads: one producer makes items in order,
/// `workers` threads transform them concurrently, and the calling thread consumes the
/// results in production order. Dedicated threads (not GCD work items or tasks) because
/// the stages block on each other and the consumer runs inside a synchronous database
/// transaction.
///
/// Structured: `run` returns only after every thread it started has ended. When the
/// consumer throws, the pipeline is cancelled: `emit` returns false, so the producer stops
/// making items, and the workers stop taking them.
public enum OrderedPipeline {
    /// - Parameters:
    ///   - maxInFlight: how many produced items may wait for the consumer; it bounds
    ///     memory when the producer is faster than the workers.
    ///   - produce: makes the items in order and hands each to `emit`; stops when `emit`
    ///     returns false (the pipeline was cancelled).
    ///   - onCancel: wakes a producer that waits for its input outside `emit` (a stream's
    ///     next batch), so that a cancelled pipeline does not wait for that input to join it.
    public static func run<Item, Output>(
        workers: Int = Parallel.cores,
        maxInFlight: Int = 256,
        produce: @escaping @Sendable (_ emit: (Item) -> Bool) -> Void,
        onCancel: () -> Void = {},
        transform: @escaping @Sendable (Item) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        try run(
            workers: workers, maxInFlight: maxInFlight, produce: produce, onCancel: onCancel, transform: transform,
            drain: { next in
                while let output = next() { try consume(output) }
            })
    }

    /// The same, with the consumer pulling the results: `drain` calls `next` for each result
    /// in production order (nil at the end), so it can group consecutive results under one
    /// scope (a write transaction per batch) and leave that scope between groups.
    public static func run<Item, Output>(
        workers: Int = Parallel.cores,
        maxInFlight: Int = 256,
        produce: @escaping @Sendable (_ emit: (Item) -> Bool) -> Void,
        onCancel: () -> Void = {},
        transform: @escaping @Sendable (Item) -> Output,
        drain: (_ next: () -> Output?) throws -> Void
    ) throws {
        let state = State<Item, Output>(maxInFlight: maxInFlight)
        let workerCount = max(1, workers)
        state.started(1 + workerCount)
        Thread {
            produce { item in state.push(item) }
            state.finishProducing()
            state.ended()
        }.start()
        for _ in 0..<workerCount {
            Thread {
                lowerThreadPriority()
                while let (index, item) = state.nextWork() {
                    state.complete(index, transform(item))
                }
                state.ended()
            }.start()
        }
        // On every exit, the consumer's error included: stop the others, then join them.
        defer {
            state.cancel()
            onCancel()
            state.waitForThreads()
        }
        var index = 0
        try drain {
            guard let output = state.result(index) else { return nil }
            index += 1
            return output
        }
    }

    /// Workers yield to the in-order consumer, which is the pipeline's critical path.
    /// On Linux, PRIO_PROCESS with who = 0 applies to the calling thread only.
    static func lowerThreadPriority() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
        #endif
    }

    final class State<Item, Output>: @unchecked Sendable {
        // All fields are guarded by `cond`.
        private let cond = NSCondition()
        /// Produced items not yet taken by a worker; taken slots are cleared at once so a
        /// long run does not keep every item alive.
        private var queue: [(Int, Item)?] = []
        private var queueHead = 0
        private var produced = 0
        private var producing = true
        private var cancelled = false
        private var results: [Int: Output] = [:]
        /// Bounds how far producers run ahead of the consumer.
        private let maxInFlight: Int
        private var consumed = 0
        /// Threads started and not yet ended.
        private var running = 0

        init(maxInFlight: Int) { self.maxInFlight = max(1, maxInFlight) }

        /// Queues an item; false (and the item dropped) once the pipeline is cancelled.
        func push(_ item: Item) -> Bool {
            cond.lock()
            defer { cond.unlock() }
            while produced - consumed >= maxInFlight && !cancelled { cond.wait() }
            if cancelled { return false }
            queue.append((produced, item))
            produced += 1
            cond.broadcast()
            return true
        }

        func started(_ n: Int) {
            cond.lock()
            running += n
            cond.unlock()
        }

        func ended() {
            cond.lock()
            running -= 1
            cond.broadcast()
            cond.unlock()
        }

        /// Returns once every started thread has ended.
        func waitForThreads() {
            cond.lock()
            while running > 0 { cond.wait() }
            cond.unlock()
        }

        func finishProducing() {
            cond.lock()
            producing = false
            cond.broadcast()
            cond.unlock()
        }

        func nextWork() -> (Int, Item)? {
            cond.lock()
            defer { cond.unlock() }
            while queueHead == queue.count {
                if !producing || cancelled { return nil }
                cond.wait()
            }
            if cancelled { return nil }
            let w = queue[queueHead]!
            queue[queueHead] = nil
            queueHead += 1
            if queueHead > 64 {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            return w
        }

        func complete(_ index: Int, _ output: Output) {
            cond.lock()
            results[index] = output
            cond.broadcast()
            cond.unlock()
        }

        func result(_ index: Int) -> Output? {
            cond.lock()
            defer { cond.unlock() }
            while results[index] == nil {
                if !producing && index >= produced { return nil }
                cond.wait()
            }
            consumed += 1
            cond.broadcast()
            return results.removeValue(forKey: index)
        }

        func cancel() {
            cond.lock()
            cancelled = true
            cond.broadcast()
            cond.unlock()
        }
    }
}
