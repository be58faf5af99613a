public import AccordCore
import Foundation
import Synchronization

/// A batch of lines for the ingest, with each line's number in its source.
public struct IngestBatch: Sendable {
    public var lines: [[UInt8]]
    public var numbers: [Int]
    /// Lines the source refused before the ingest saw them (longer than an event may be).
    public var tooLong: [Int]

    public init(lines: [[UInt8]], numbers: [Int], tooLong: [Int] = []) {
        self.lines = lines
        self.numbers = numbers
        self.tooLong = tooLong
    }
}

/// Where the ingest's lines come from: bytes in memory (`MemoryLines`), a file (`FileLines`)
/// or an async stream (a push body or a pull page: AccordSync's `StreamingIngest` feeds a
/// queue that is a source).
public protocol IngestSource: Sendable {
    /// The next batch, nil at the end. Called on the pipeline's producer thread, which it may
    /// block while it waits for input.
    func next() throws -> IngestBatch?
    /// The pipeline failed and takes nothing more: a `next` that waits for input returns nil.
    func cancel()
}

extension IngestSource {
    public func cancel() {}
}

/// The one way in for events from outside (imports, clones, pushes, pull pages): a source's
/// batches are checked on every core (size, decode, id, body hash, signature) while earlier
/// ones are appended, each batch in its own transaction (`AppendStage` carries out
/// `IngestRules`' decisions), and every outcome is counted by line number in one tally.
/// Edits through the API take the same append in groups of requests (`GroupCommit`).
public struct IngestPipeline: Sendable {
    public let log: EventLog
    public let limits: EventLimits
    /// The counts so far, for whoever watches the ingest while it runs (a stream's feeder).
    public let tally: LiveTally

    public init(log: EventLog, limits: EventLimits = .standard, tally: LiveTally = LiveTally()) {
        self.log = log
        self.limits = limits
        self.tally = tally
    }

    /// Ingests everything `source` hands out; returns the tally, its rejections in line order.
    /// - Parameter progress: called after each batch with the lines handled so far.
    public func run(_ source: some IngestSource, progress: ((_ done: Int) -> Void)? = nil) throws -> IngestTally {
        let (tally, limits) = (self.tally, self.limits)
        var done = 0
        try log.ingest(
            limits: limits,
            next: {
                while let batch = try source.next() {
                    for line in batch.tooLong { tally.refuse(line: line, Self.tooLong(limits)) }
                    // A batch of nothing but refused lines is not handed on (it gets no outcomes).
                    if batch.lines.isEmpty { continue }
                    tally.expect(batch.numbers)
                    return batch.lines
                }
                return nil
            },
            cancel: { source.cancel() },
            handle: { outcomes in
                tally.record(outcomes)
                done += outcomes.count
                progress?(done)
            })
        var result = tally.current
        result.rejections.sort { $0.line < $1.line }
        return result
    }

    /// The refusal of a line longer than an event may be.
    public static func tooLong(_ limits: EventLimits) -> EventRejection {
        EventRejection(.tooLarge, "line is over \(limits.maxEventBytes) bytes; the limit for an event")
    }
}

/// The tally of an ingest while it runs, shared between the pipeline's threads and a
/// watcher: each batch's line numbers, in order, matched to its outcomes.
public final class LiveTally: Sendable {
    private struct State {
        /// The line numbers of each batch handed to the pipeline, oldest first.
        var numbers: [[Int]] = []
        var result: IngestTally
    }
    private let state: Mutex<State>

    /// - Parameter maxListed: how many refusals are listed (imports list all of them).
    public init(maxListed: Int = .max) { state = Mutex(State(result: IngestTally(maxListed: maxListed))) }

    func expect(_ lines: [Int]) { state.withLock { $0.numbers.append(lines) } }

    func record(_ outcomes: [IngestOutcome]) {
        state.withLock { s in
            let lines = s.numbers.isEmpty ? [] : s.numbers.removeFirst()
            for (k, o) in outcomes.enumerated() { s.result.add(o, line: k < lines.count ? lines[k] : 0) }
        }
    }

    /// A line refused before the pipeline saw it.
    public func refuse(line: Int, _ r: EventRejection) { state.withLock { $0.result.refuse(line: line, r) } }

    public var current: IngestTally { state.withLock { $0.result } }
}

/// NDJSON bytes in memory, handed out in batches of `batchSize` lines.
public final class MemoryLines: IngestSource {
    private let lines: [(number: Int, bytes: [UInt8])]
    private let batchSize: Int
    private let position = Mutex(0)

    public init(_ data: [UInt8], batchSize: Int) {
        lines = NDJSONLineSplitter.lines(of: data)
        self.batchSize = max(1, batchSize)
    }

    /// Lines already split, numbered from 1.
    public init(lines: [[UInt8]], batchSize: Int) {
        self.lines = lines.enumerated().map { ($0 + 1, $1) }
        self.batchSize = max(1, batchSize)
    }

    public var count: Int { lines.count }

    public func next() -> IngestBatch? {
        position.withLock { k in
            guard k < lines.count else { return nil }
            defer { k += batchSize }
            let part = lines[k..<min(lines.count, k + batchSize)]
            return IngestBatch(lines: part.map(\.bytes), numbers: part.map(\.number))
        }
    }
}

/// An NDJSON file read a chunk at a time and handed out in batches: memory holds a few
/// batches, never the file, and a line longer than an event may be is refused without being
/// read into memory.
public final class FileLines: IngestSource {
    private struct State {
        var splitter: NDJSONLineSplitter
        var ended = false
    }
    private let handle: FileHandle
    private let batchSize: Int
    private let state: Mutex<State>
    /// A batch stops growing once it holds this many bytes.
    static let maxBatchBytes = 64 << 20

    init(handle: FileHandle, limits: EventLimits, batchSize: Int) {
        self.handle = handle
        self.batchSize = max(1, batchSize)
        state = Mutex(State(splitter: NDJSONLineSplitter(maxLineBytes: limits.maxEventBytes)))
    }

    public func next() throws -> IngestBatch? {
        var batch = IngestBatch(lines: [], numbers: [])
        var bytes = 0
        func take(_ piece: NDJSONLineSplitter.Piece) {
            switch piece {
            case .line(let number, let line):
                batch.lines.append(line)
                batch.numbers.append(number)
                bytes += line.count
            case .tooLong(let number):
                batch.tooLong.append(number)
            }
        }
        // Bounded in lines and in bytes (events may be up to 2 MiB each).
        while batch.lines.count < batchSize && bytes < Self.maxBatchBytes {
            if state.withLock({ $0.ended }) { break }
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else {
                state.withLock { s in
                    s.ended = true
                    s.splitter.finish { take($0) }
                }
                break
            }
            state.withLock { $0.splitter.feed(chunk) { take($0) } }
        }
        let ended = state.withLock { $0.ended }
        return batch.lines.isEmpty && batch.tooLong.isEmpty && ended ? nil : batch
    }
}
