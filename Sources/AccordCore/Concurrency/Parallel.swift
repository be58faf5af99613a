import Dispatch
import Foundation

/// Data-parallel helpers for CPU-bound work (signature checks, signing).
public enum Parallel {
    /// Number of cores work is spread over.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `items.map(transform)`, computed on every core; results keep the input order.
    public static func map<T, R>(_ items: [T], minChunk: Int = 64, _ transform: (T) -> R) -> [R] {
        let n = items.count
        if n <= minChunk || cores == 1 { return items.map(transform) }
        let chunks = min(cores * 4, (n + minChunk - 1) / minChunk)
        let per = (n + chunks - 1) / chunks
        var results = [R?](repeating: nil, count: n)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            items.withUnsafeBufferPointer { input in
                nonisolated(unsafe) let input = input
                withoutActuallyEscaping(transform) { transform in
                    nonisolated(unsafe) let transform = transform
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        let lo = c * per
                        let hi = min(n, lo + per)
                        if lo < hi {
                            for k in lo..<hi { out[k] = transform(input[k]) }
                        }
                    }
                }
            }
        }
        return results.map { $0! }
    }
}
