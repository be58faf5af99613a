import AccordStore
import Foundation

/// Hands batches from the async HTTP stream to the ingest pipeline's producer thread,
/// which blocks in `next()` until a batch or the end arrives. Bounded, so a fast peer
/// cannot fill memory faster than the node verifies.
final class BatchQueue: @unchecked Sendable {
    // All fields are guarded by `cond`.
    private let cond = NSCondition()
    private var batches: [[[UInt8]]] = []
    private var finished = false
    private let limit = 8

    /// Waits while the queue is full (called from the async side, off the cooperative pool).
    func put(_ batch: [[UInt8]]) {
        cond.lock()
        while batches.count >= limit && !finished { cond.wait() }
        batches.append(batch)
        cond.broadcast()
        cond.unlock()
    }

    func finish() {
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }

    func next() -> [[UInt8]]? {
        cond.lock()
        defer { cond.unlock() }
        while batches.isEmpty && !finished { cond.wait() }
        if batches.isEmpty { return nil }
        cond.broadcast()
        return batches.removeFirst()
    }
}
