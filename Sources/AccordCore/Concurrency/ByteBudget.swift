import Foundation

/// Bytes in flight between a producer and a consumer on other threads: `acquire` waits while
/// the budget is spent (an item larger than the whole budget still passes when nothing else is
/// in flight), `release` gives bytes back, `cancel` wakes a waiting producer for good.
public final class ByteBudget: @unchecked Sendable {
    // All fields are guarded by `cond` (the producer thread waits on it).
    private let cond = NSCondition()
    private var used = 0
    private var cancelled = false
    private var waiting = 0
    public let limit: Int

    /// How many producers wait for room now.
    public var waiters: Int {
        cond.lock()
        defer { cond.unlock() }
        return waiting
    }

    public init(limit: Int) { self.limit = max(1, limit) }

    /// Takes `n` bytes of the budget, waiting for room; false once cancelled.
    public func acquire(_ n: Int) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        while used > 0 && used + n > limit && !cancelled {
            waiting += 1
            cond.wait()
            waiting -= 1
        }
        if cancelled { return false }
        used += n
        return true
    }

    public func release(_ n: Int) {
        cond.lock()
        used -= n
        cond.broadcast()
        cond.unlock()
    }

    public func cancel() {
        cond.lock()
        cancelled = true
        cond.broadcast()
        cond.unlock()
    }
}
