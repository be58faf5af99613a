import AccordCore
import Synchronization

/// Imports NDJSON (an export, a clone's file) through the ingest pipeline, in batches, and
/// reports each rejection by line number.
public enum NDJSONImport {
    public typealias Rejection = IngestRejection
    /// Everything is listed: an import reports each rejection by line.
    public typealias Result = IngestTally

    /// Events per transaction: large batches rewrite fewer random index pages per event.
    public static let defaultBatchSize = 32768

    /// - Parameter progress: called after each batch with the lines handled so far and the total.
    public static func run(
        data: [UInt8], into log: EventLog, batchSize: Int = defaultBatchSize, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> Result {
        let source = MemoryLines(data, batchSize: batchSize)
        return try IngestPipeline(log: log).run(source) { progress?($0, source.count) }
    }
}
