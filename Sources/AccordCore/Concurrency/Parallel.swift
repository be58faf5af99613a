import Dispatch
import Foundation

/// Data-parallel helpers for CPU-bound work (signature checks, signing).
public enum Parallel {
    /// Number of cores work is spread over.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `items.map(transform)`, computed on every core; results keep the input order.
    /// `concurrentPerform` returns once every chunk is done, so nothing outlives the call.
    public static func map<T: Sendable, R: Sendable>(_ items: [T], minChunk: Int = 64, _ transform: @Sendable (T) -> R) -> [R] {
        let n = items.count
        if n <= minChunk || cores == 1 { return items.map(transform) }
        let chunks = min(cores * 4, (n + minChunk - 1) / minChunk)
        let per = (n + chunks - 1) / chunks
        var results = [R?](repeating: nil, count: n)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = Slots(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * per
                let hi = min(n, lo + per)
                if lo < hi {
                    for k in lo..<hi { out.set(k, transform(items[k])) }
                }
            }
        }
        return results.map { $0! }
    }

    /// The result slots chunks write concurrently. Sendable by its one use: every chunk writes
    /// only its own indices, and the buffer outlives every write (`concurrentPerform` waits).
    struct Slots<R>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<R?>
        init(_ buffer: UnsafeMutableBufferPointer<R?>) { self.buffer = buffer }
        func set(_ k: Int, _ value: R) { buffer[k] = value }
    }
}
