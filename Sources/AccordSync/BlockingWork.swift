import Foundation
import NIOPosix

/// Where async code runs blocking database work: a NIO thread pool of its own, so that
/// nothing blocks Swift's cooperative pool.
///
/// Sized for waiting, not for the cores: SQLite reads wait on the disk and on each
/// other's locks, and a long ingest holds its thread for minutes. (On Linux the global
/// dispatch queue runs about one thread per core: 32 curators saving at once got a third
/// of the throughput through it, and a long ingest starved every read queued behind it.)
/// Like `NIOThreadPool.singleton`, it lives as long as the process.
public enum BlockingWork {
    public static let threads = 16

    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }()

    /// Runs `work` on the pool and returns its result; the calling task suspends meanwhile.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }

    /// Runs long work (an ingest that lasts as long as its stream, up to minutes) on a
    /// thread of its own, so that it holds none of `pool`'s threads; the calling task
    /// suspends until it ends. A node runs at most two pushes and one peer sync at a time,
    /// so these threads are few. (With a shared pool of 8 or 64 threads instead, a stream's
    /// first batch waited over a minute in 2 of 3 runs of the full test suite; the cause was
    /// not found, so each stream keeps its thread.)
    public static func runLong<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            Thread { cont.resume(with: Result { try work() }) }.start()
        }
    }

}
