public import AccordCore
public import AccordStore
import Foundation
import Synchronization

/// NDJSON arriving in chunks (a push body, a pull page) ingested as it arrives, in bounded
/// memory: at most a few batches wait for the pipeline, a line longer than the event size
/// limit is refused without being buffered, and only counts and the first rejections are kept.
/// `run` feeds it and runs the ingest beside the feeding, as child work of the caller's task.
public final class StreamingIngest {
    /// What the stream did: the one tally, listing the first `maxListed` refusals.
    public typealias Result = IngestTally

    public static let maxListed = 100
    /// Lines per batch, and so per transaction: the read models fold each touched record once
    /// per transaction, so larger ones cost less per event (a clone of curation events: 2,048
    /// lines 54 - 57 % of `curation-ingest`, 8,192 lines 67 %). Memory does not grow with it:
    /// the read models store each part's facts as it is appended (`ProjectionStage`).
    public static let batchLines = 8192

    /// Lines per batch for this stream (`batchLines` unless a test makes it smaller).
    private let linesPerBatch: Int
    /// A batch is handed over once it holds this many bytes, however few lines (events may be
    /// up to 2 MiB each: 8,192 of them would be 16 GiB).
    public static let maxBatchBytes = 32 << 20
    private var batchBytes = 0

    private let limits: EventLimits
    private let queue = BatchQueue()
    private let tally = LiveTally(maxListed: StreamingIngest.maxListed)
    // Touched by the feeding task only.
    private var splitter: NDJSONLineSplitter
    private var batch: [[UInt8]] = []
    private var batchNumbers: [Int] = []
    /// Lines that are not events (a pull's end line): return true to take the line out.
    private let intercept: @Sendable ([UInt8]) -> Bool
    /// Called with each batch's line count once it is handed to the pipeline.
    private let onFlush: (@Sendable (Int) async -> Void)?

    private init(
        limits: EventLimits, batchLines: Int, intercept: @escaping @Sendable ([UInt8]) -> Bool,
        onFlush: (@Sendable (Int) async -> Void)?
    ) {
        linesPerBatch = max(1, batchLines)
        splitter = NDJSONLineSplitter(maxLineBytes: limits.maxEventBytes)
        self.limits = limits
        self.intercept = intercept
        self.onFlush = onFlush
    }

    /// Ingests what `feed` hands the stream (`feed(_:)`), while it feeds: the pipeline runs
    /// on a thread of its own (`BlockingWork.runLong`: it lasts as long as the stream, and
    /// holds none of the store pool's threads) and ends when `feed` returns or throws. Returns the counts and
    /// what ended the feeding early, if anything; what arrived whole before that is kept.
    /// An ingest failure (a full disk) is thrown.
    public static func run(
        log: EventLog, limits: EventLimits = .standard, batchLines: Int = StreamingIngest.batchLines,
        intercept: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }, onFlush: (@Sendable (Int) async -> Void)? = nil,
        _ feed: (StreamingIngest) async throws -> Void
    ) async throws -> (result: Result, stopped: (any Error)?) {
        let stream = StreamingIngest(limits: limits, batchLines: batchLines, intercept: intercept, onFlush: onFlush)
        let (queue, tally) = (stream.queue, stream.tally)
        async let ingestion = BlockingWork.runLong {
            defer { queue.finish() }
            return try IngestPipeline(log: log, limits: limits, tally: tally).run(queue)
        }
        var stopped: (any Error)?
        do { try await feed(stream) } catch { stopped = error }
        await stream.close()
        return (try await ingestion, stopped)
    }

    /// The counts so far (complete after `finish`).
    public var current: Result { tally.current }

    /// Takes the next bytes of the stream.
    public func feed(_ bytes: some Collection<UInt8>) async {
        var pieces: [NDJSONLineSplitter.Piece] = []
        splitter.feed(bytes) { pieces.append($0) }
        for piece in pieces {
            take(piece)
            if batch.count >= linesPerBatch || batchBytes >= Self.maxBatchBytes { await flush() }
        }
    }

    private func take(_ piece: NDJSONLineSplitter.Piece) {
        switch piece {
        case .tooLong(let number):
            // Refused as soon as it is too long; the rest of the line was skipped unread.
            tally.refuse(line: number, IngestPipeline.tooLong(limits))
        case .line(let number, let line):
            if intercept(line) { return }
            batch.append(line)
            batchBytes += line.count
            batchNumbers.append(number)
        }
    }

    private func flush() async {
        guard !batch.isEmpty else { return }
        let lines = batch
        let numbers = batchNumbers
        batch = []
        batchBytes = 0
        batchNumbers = []
        // Suspends (no thread waits) while the pipeline has `BatchQueue.limit` batches to go.
        await queue.put(IngestBatch(lines: lines, numbers: numbers))
        if let onFlush { await onFlush(lines.count) }
    }

    /// Ends the stream (a last line without a newline counts).
    private func close() async {
        splitter.finish { take($0) }
        await flush()
        queue.finish()
    }
}
