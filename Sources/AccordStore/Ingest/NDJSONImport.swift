import AccordCore
import Synchronization

/// Imports an NDJSON log file through the ingest pipeline, in batches, and reports
/// each rejection by line number.
public enum NDJSONImport {
    public typealias Rejection = IngestRejection
    /// Everything is listed: an import reports each rejection by line.
    public typealias Result = IngestTally

    /// Hands out consecutive batches; called from the pipeline's producer thread only.
    public final class BatchIterator: Sendable {
        private let items: [[UInt8]]
        private let batchSize: Int
        private let position = Mutex(0)

        public init(_ items: [[UInt8]], batchSize: Int) {
            self.items = items
            self.batchSize = batchSize
        }

        public func next() -> [[UInt8]]? {
            position.withLock { k in
                guard k < items.count else { return nil }
                defer { k += batchSize }
                return Array(items[k..<min(items.count, k + batchSize)])
            }
        }
    }

    /// Events per transaction: large batches rewrite fewer random index pages per event.
    public static let defaultBatchSize = 32768

    /// - Parameter progress: called after each batch with the lines handled so far and the total.
    public static func run(
        data: [UInt8], into log: EventLog, batchSize: Int = defaultBatchSize, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> Result {
        var result = Result()
        let all = NDJSONLineSplitter.lines(of: data)
        let batches = BatchIterator(all.map(\.bytes), batchSize: batchSize)
        var handled = 0
        try log.ingest(
            next: { batches.next() },
            handle: { outcomes in
                for (o, (line, _)) in zip(outcomes, all[handled..<handled + outcomes.count]) { result.add(o, line: line) }
                handled += outcomes.count
                progress?(handled, all.count)
            })
        return result
    }
}
