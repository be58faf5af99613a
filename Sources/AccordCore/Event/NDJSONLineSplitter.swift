/// Splits NDJSON that arrives in pieces (a request body, a pull page, a file read a chunk at
/// a time) into numbered lines, in bounded memory: a line longer than `maxLineBytes` is
/// reported by its number and skipped without being buffered; blank lines are numbered but
/// not handed out; a trailing CR is dropped.
public struct NDJSONLineSplitter: Sendable {
    public enum Piece: Sendable, Equatable {
        case line(number: Int, bytes: [UInt8])
        case tooLong(number: Int)
    }

    private let maxLineBytes: Int
    private var partial: [UInt8] = []
    private var skipping = false
    private var number = 0

    /// - Parameter maxLineBytes: the longest line handed out (without its newline and CR).
    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Takes the next bytes; `out` gets each line completed by them, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>, _ out: (Piece) -> Void) {
        var start = bytes.startIndex
        while start != bytes.endIndex {
            guard let nl = bytes[start...].firstIndex(of: 0x0A) else {
                take(bytes[start...], complete: false, out)
                return
            }
            take(bytes[start..<nl], complete: true, out)
            start = bytes.index(after: nl)
        }
    }

    /// The input ended: a last line without a newline counts.
    public mutating func finish(_ out: (Piece) -> Void) {
        if !partial.isEmpty || skipping { take(EmptyCollection(), complete: true, out) }
    }

    private mutating func take(_ piece: some Collection<UInt8>, complete: Bool, _ out: (Piece) -> Void) {
        if skipping {
            if complete { skipping = false }
            return
        }
        partial.append(contentsOf: piece)
        // One more byte than the limit: a CR before the newline.
        if partial.count > maxLineBytes + 1 {
            number += 1
            out(.tooLong(number: number))
            partial = []
            skipping = !complete
            return
        }
        guard complete else { return }
        var line = partial
        partial = []
        if line.last == 0x0D { line.removeLast() }
        number += 1
        if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) { out(.line(number: number, bytes: line)) }
    }

    /// The numbered lines of NDJSON held whole in memory (a request body, a file read at
    /// once), blank lines skipped; every line is handed out, however long (the ingest's size
    /// check refuses it by its number).
    public static func lines(of data: some Collection<UInt8>) -> [(number: Int, bytes: [UInt8])] {
        var splitter = NDJSONLineSplitter(maxLineBytes: .max - 1)
        var out: [(number: Int, bytes: [UInt8])] = []
        func take(_ piece: Piece) { if case .line(let n, let bytes) = piece { out.append((n, bytes)) } }
        splitter.feed(data, take)
        splitter.finish(take)
        return out
    }
}
