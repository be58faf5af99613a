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

    /// Threads for long work (an ingest that lasts as long as its stream, up to minutes):
    /// a pool of their own, so that long work holds none of `pool`'s threads. Streams beyond
    /// it wait their turn (their feeders suspend on the bounded batch queue meanwhile).
    public static let longThreads = 8

    static let longPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: longThreads)
        pool.start()
        return pool
    }()

    /// Runs long work on the long-work pool; the calling task suspends until it ends.
    public static func runLong<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await longPool.runIfActive(work)
    }
}
