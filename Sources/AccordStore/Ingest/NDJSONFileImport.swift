public import AccordCore
import Foundation
import Synchronization

extension NDJSONImport {
    /// Imports an NDJSON file as it is read: memory holds a few batches of lines, never the
    /// file, and a line longer than an event may be is refused without being read into
    /// memory. Only a regular file (or a link to one) is read: a directory, a FIFO or a
    /// device is refused before anything is read.
    /// - Parameter progress: called after each batch with the lines handled so far (the
    ///   total is not known before the end, and is given with the last call).
    public static func run(
        path: String, into log: EventLog, batchSize: Int = defaultBatchSize, limits: EventLimits = .standard,
        progress: ((_ done: Int, _ total: Int?) -> Void)? = nil
    ) throws -> Result {
        var info = stat()
        guard stat(path, &info) == 0 else { throw InvalidInput("cannot read \(path): no such file") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw InvalidInput("cannot read \(path): not a regular file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw InvalidInput("cannot read \(path): permission denied") }
        defer { try? handle.close() }
        let reader = LineReader(handle: handle, limits: limits, batchSize: batchSize)
        var result = Result()
        var handled = 0
        try log.ingest(
            limits: limits, next: { try reader.next() },
            handle: { outcomes in
                let numbers = reader.numbers(of: outcomes.count)
                for (o, line) in zip(outcomes, numbers) { result.add(o, line: line) }
                handled += outcomes.count
                progress?(handled, nil)
            })
        // Known only now: the last report is complete.
        progress?(handled, handled)
        for line in reader.tooLong { result.refuse(line: line, Self.tooLong(limits)) }
        result.rejections.sort { $0.line < $1.line }
        return result
    }

    /// Reads lines from a file a chunk at a time and hands them out in batches; called from
    /// the ingest pipeline's producer thread only (the line numbers are taken on the consumer's).
    final class LineReader: Sendable {
        private struct State {
            var splitter: NDJSONLineSplitter
            var ended = false
            var tooLong: [Int] = []
        }
        private let handle: FileHandle
        private let limits: EventLimits
        private let batchSize: Int
        private let state: Mutex<State>
        /// The line number of every line handed out and not yet matched to an outcome.
        private let pending = Mutex<[Int]>([])
        /// A batch stops growing once it holds this many bytes.
        static let maxBatchBytes = 64 << 20

        init(handle: FileHandle, limits: EventLimits, batchSize: Int) {
            self.handle = handle
            self.limits = limits
            self.batchSize = max(1, batchSize)
            state = Mutex(State(splitter: NDJSONLineSplitter(maxLineBytes: limits.maxEventBytes)))
        }

        var tooLong: [Int] { state.withLock { $0.tooLong } }

        /// The line numbers of the next `count` lines handed out.
        func numbers(of count: Int) -> [Int] {
            pending.withLock { p in
                let taken = Array(p.prefix(count))
                p.removeFirst(taken.count)
                return taken
            }
        }

        /// The next batch of lines, or nil at the end of the file.
        func next() throws -> [[UInt8]]? {
            var batch: [[UInt8]] = []
            var numbers: [Int] = []
            var bytes = 0
            func take(_ piece: NDJSONLineSplitter.Piece, _ s: inout State) {
                switch piece {
                case .line(let number, let line):
                    batch.append(line)
                    bytes += line.count
                    numbers.append(number)
                case .tooLong(let number):
                    s.tooLong.append(number)
                }
            }
            // Bounded in lines and in bytes (events may be up to 2 MiB each).
            while batch.count < batchSize && bytes < Self.maxBatchBytes {
                if state.withLock({ $0.ended }) { break }
                guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else {
                    state.withLock { s in
                        s.ended = true
                        var splitter = s.splitter
                        splitter.finish { take($0, &s) }
                        s.splitter = splitter
                    }
                    break
                }
                state.withLock { s in
                    var splitter = s.splitter
                    splitter.feed(chunk) { take($0, &s) }
                    s.splitter = splitter
                }
            }
            pending.withLock { $0 += numbers }
            return batch.isEmpty && state.withLock({ $0.ended }) ? nil : batch
        }
    }

    static func tooLong(_ limits: EventLimits) -> EventRejection {
        EventRejection(.tooLarge, "line is over \(limits.maxEventBytes) bytes; the limit for an event")
    }
}
