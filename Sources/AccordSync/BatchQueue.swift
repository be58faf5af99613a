import AccordStore
import Foundation

/// Hands batches from the async HTTP stream to the ingest pipeline's producer thread.
/// Bounded, so a fast peer cannot fill memory faster than the node verifies: `put`
/// suspends (its task, not a thread) while `limit` batches wait; `next` blocks the
/// pipeline's producer thread until a batch or the end arrives.
final class BatchQueue: IngestSource, @unchecked Sendable {
    // All fields are guarded by `cond` (a condition variable: the producer thread waits on it).
    private let cond = NSCondition()
    private var batches: [IngestBatch] = []
    /// A writer waiting for room, with its batch; resumed by `next` or `finish`.
    private var blocked: (batch: IngestBatch, resume: CheckedContinuation<Void, Never>)?
    private var finished = false
    /// Two batches of `StreamingIngest.batchLines` (8,192 lines) wait at most.
    let limit = 2

    /// Adds a batch; suspends while the queue is full. After `finish` the batch is dropped
    /// (the pipeline has ended and will take nothing more). One writer at a time: the
    /// stream's feeding task.
    func put(_ batch: IngestBatch) async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            cond.lock()
            precondition(blocked == nil, "BatchQueue has one writer")
            if finished {
                cond.unlock()
                cont.resume()
            } else if batches.count < limit {
                batches.append(batch)
                cond.broadcast()
                cond.unlock()
                cont.resume()
            } else {
                blocked = (batch, cont)
                cond.unlock()
            }
        }
    }

    /// No more batches: the reader gets nil once the queue is empty; a waiting writer is released.
    func finish() {
        cond.lock()
        finished = true
        let waiting = blocked
        blocked = nil
        cond.broadcast()
        cond.unlock()
        waiting?.resume.resume()
    }

    /// The ingest failed: queued batches are dropped, a waiting reader gets nil, a waiting
    /// writer is released.
    public func cancel() {
        cond.lock()
        batches.removeAll()
        cond.unlock()
        finish()
    }

    /// The next batch, or nil at the end; blocks the calling (producer) thread meanwhile.
    public func next() -> IngestBatch? {
        cond.lock()
        // A writer waits only behind a full queue, so an empty queue has no waiting writer.
        while batches.isEmpty && !finished { cond.wait() }
        guard !batches.isEmpty else {
            cond.unlock()
            return nil
        }
        let batch = batches.removeFirst()
        var released: CheckedContinuation<Void, Never>?
        if let waiting = blocked {
            batches.append(waiting.batch)
            blocked = nil
            released = waiting.resume
        }
        cond.unlock()
        released?.resume()
        return batch
    }
}
