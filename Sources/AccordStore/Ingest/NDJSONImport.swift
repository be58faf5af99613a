import AccordCore
import Synchronization

/// Imports an NDJSON log file through the ingest pipeline, in batches, and reports
/// each rejection by line number.
public enum NDJSONImport {
    public struct Rejection: Sendable, Codable, Equatable {
        public let line: Int
        public let code: String
        public let reason: String

        public init(line: Int, code: String, reason: String) {
            self.line = line
            self.code = code
            self.reason = reason
        }
    }

    public struct Result: Sendable, Codable {
        public var summary = IngestSummary()
        public var rejections: [Rejection] = []

        /// The rejections for a person: causes line by line (at most `limit`), and the
        /// events refused only because an earlier event of their chain was (seq-gap,
        /// wrong-prev after a first cause) summarised in one line instead of burying it.
        public func explained(limit: Int = 20) -> [String] {
            var out: [String] = []
            var consequences = 0
            var firstCause: Int?
            var shown = 0
            for r in rejections {
                let follows =
                    firstCause != nil && (r.code == EventRejection.Code.seqGap.rawValue || r.code == EventRejection.Code.wrongPrev.rawValue)
                if follows {
                    consequences += 1
                    continue
                }
                if firstCause == nil { firstCause = r.line }
                if shown < limit { out.append("line \(r.line): \(r.code): \(r.reason)") }
                shown += 1
            }
            if shown > limit { out.append("... and \(shown - limit) more rejected lines (--json lists them all)") }
            if consequences > 0, let firstCause {
                out.append(
                    "\(consequences) later events could not be chained (seq-gap/wrong-prev): each follows an event refused above in its author's chain (first cause: line \(firstCause)); fix that line and import again"
                )
            }
            return out
        }
    }

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
                for (o, (line, _)) in zip(outcomes, all[handled..<handled + outcomes.count]) {
                    result.summary.add(o)
                    if case .rejected(let r) = o {
                        result.rejections.append(Rejection(line: line, code: r.code.rawValue, reason: r.message))
                    }
                }
                handled += outcomes.count
                progress?(handled, all.count)
            })
        return result
    }
}
