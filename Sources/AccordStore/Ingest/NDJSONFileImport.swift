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
        var handled = 0
        let result = try IngestPipeline(log: log, limits: limits).run(FileLines(handle: handle, limits: limits, batchSize: batchSize)) {
            handled = $0
            progress?($0, nil)
        }
        // Known only now: the last report is complete.
        progress?(handled, handled)
        return result
    }
}
