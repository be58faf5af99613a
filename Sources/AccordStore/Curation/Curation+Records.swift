public import AccordCore
import Foundation
import GRDB

/// Records in and out (Docs/records.md): the dataset as plain records, JSON or CSV.
extension Curation {
    public struct RecordImportReport: Sendable, Codable {
        public struct RowError: Sendable, Codable, Equatable {
            public let row: Int
            public let reason: String
        }

        public var rows = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var events = 0
        public var errors: [RowError] = []
        /// True when nothing was signed (`--dry-run`): the counts and changes say what would be.
        public var dryRun = false
        /// What changed (or would change) per record, in file order; unchanged records are left out.
        public var changes: [RecordChange] = []
    }

    /// One record's change, as a curator reads it before and after an import.
    public struct RecordChange: Sendable, Codable, Equatable {
        public var symbol: String
        public var created = false
        /// Fields given a new value, as "field: old -> new".
        public var set: [String] = []
        /// Fields emptied.
        public var cleared: [String] = []
        /// List items added and removed, as "topic x", "link reviews A/RES/71/19", "source URL".
        public var added: [String] = []
        public var removed: [String] = []

        public init(symbol: String) { self.symbol = symbol }

        /// Lines for a terminal: "+ A/RES/73/11 (new)", "~ notes: — -> Checked twice", ...
        public var lines: [String] {
            var out = [(created ? "+ " : "~ ") + symbol + (created ? " (new record)" : "")]
            out += set.map { "    set     " + $0 }
            out += cleared.map { "    CLEAR   " + $0 }
            out += added.map { "    add     " + $0 }
            out += removed.map { "    REMOVE  " + $0 }
            return out
        }
    }

    /// Parses a records file: a JSON array, or CSV with a header row. Rows that fail are
    /// reported by number (1-based; in CSV the header is row 0) and the others kept.
    /// Where the first byte sequence that is not UTF-8 starts, or nil.
    static func firstInvalidUTF8(_ data: [UInt8]) -> Int? {
        var decoder = UTF8()
        var bytes = data.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&bytes) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    public static func parseRecords(
        _ data: [UInt8], csv: Bool
    ) -> (records: [(Int, ResolutionRecord)], errors: [RecordImportReport.RowError]) {
        var records: [(Int, ResolutionRecord)] = []
        var errors: [RecordImportReport.RowError] = []
        if csv {
            // Bytes that are not UTF-8 are refused, not replaced: a record would be signed with
            // U+FFFD where the file had something else.
            if let bad = Self.firstInvalidUTF8(data) {
                let line = data[..<bad].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                return (
                    [],
                    [.init(row: 0, reason: "the file is not UTF-8 (byte \(bad + 1), on line \(line)); save it as UTF-8 and import again")]
                )
            }
            let text = String(decoding: data, as: UTF8.self)
            let rows: [[String]]
            do {
                rows = try CSV.decode(text)
            } catch {
                return ([], [.init(row: 0, reason: error.message)])
            }
            guard let header = rows.first else { return ([], []) }
            if let bad = header.first(where: { !ResolutionRecord.csvColumns.contains($0) }) {
                return (
                    [], [.init(row: 0, reason: "unknown column \"\(bad)\"; columns: \(ResolutionRecord.csvColumns.joined(separator: ","))")]
                )
            }
            for (k, row) in rows.dropFirst().enumerated() {
                do {
                    records.append((k + 1, try ResolutionRecord(csv: row, header: header)))
                } catch {
                    errors.append(.init(row: k + 1, reason: error.message))
                }
            }
        } else {
            let json: JSONValue
            do {
                json = try JSONParser.parse(data)
            } catch {
                return ([], [.init(row: 0, reason: error.description)])
            }
            guard let items = json.arrayValue else { return ([], [.init(row: 0, reason: "a records file is a JSON array of records")]) }
            for (k, item) in items.enumerated() {
                do {
                    records.append((k + 1, try ResolutionRecord(json: item)))
                } catch {
                    errors.append(.init(row: k + 1, reason: error.message))
                }
            }
        }
        return (records, errors)
    }

    /// The events that take a record to what the file says, and the change they make.
    /// A column or key the file does not name leaves the field or list untouched; a named
    /// empty cell or JSON null clears it. With `replace`, the file is the desired state:
    /// everything it does not give is cleared or removed.
    public func plan(_ r: ResolutionRecord, replace: Bool = false) throws -> (events: [DomainEvent], change: RecordChange) {
        var symbol = r.symbol
        if !symbol.isComplete { symbol = try resolveSymbol(symbol.description) }
        guard symbol.isComplete else { throw InvalidInput("\(symbol) needs its year: write \(symbol) (YEAR) or give adopted") }
        _ = try resolveSymbol(symbol.description)  // a year contradicting the stored record's is refused
        let current = try state(symbol)
        var change = RecordChange(symbol: symbol.description)
        var out: [DomainEvent] = []
        var topicsNow: [String] = []
        var linksNow: [Link] = []
        var sourcesNow: [Source] = []
        func named(_ column: String) -> Bool { replace || r.names(column) }
        func show(_ v: JSONValue?) -> String {
            guard let v, !v.isNull else { return "—" }
            let text = v.stringValue ?? v.canonicalString
            return text.count > 60 ? String(text.prefix(57)) + "..." : text
        }
        if let current {
            for f in RecordField.allCases where named(f.rawValue) {
                let want = r.fields[f] ?? .null
                let s = current.fields[f] ?? FieldState(heads: [])
                if s.inConflict || s.value != want {
                    out.append(.fieldSet(symbol, field: f, value: want, base: s.heads.map(\.id)))
                    if want.isNull {
                        change.cleared.append("\(f.rawValue) (was \(show(s.value)))")
                    } else {
                        change.set.append("\(f.rawValue): \(s.inConflict ? "(in conflict)" : show(s.value)) -> \(show(want))")
                    }
                }
            }
            topicsNow = current.topics
            linksNow = current.links
            sourcesNow = current.sources
        } else {
            out.append(.recordCreated(symbol, fields: r.fields))
            change.created = true
            change.set = r.fields.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue): \(show(r.fields[$0]))" }
        }
        if named("topics") {
            let addTopics = r.topics.filter { !topicsNow.contains($0) }
            if !addTopics.isEmpty { out.append(.topicsAdded(symbol, addTopics)) }
            let dropTopics = topicsNow.filter { !r.topics.contains($0) }
            if !dropTopics.isEmpty {
                var seen: [String] = []
                for t in dropTopics { seen += try liveAdds(symbol, kind: "topic", item: t) }
                out.append(.topicsRemoved(symbol, dropTopics, seen: seen))
            }
            change.added += addTopics.map { "topic " + $0 }
            change.removed += dropTopics.map { "topic " + $0 }
        }
        if named("links") {
            let wantLinks = Set(r.links.map(\.item))
            let haveLinks = Set(linksNow.map(\.item))
            let addLinks = r.links.filter { !haveLinks.contains($0.item) }
            if !addLinks.isEmpty { out.append(.linksAdded(symbol, addLinks)) }
            let dropLinks = linksNow.filter { !wantLinks.contains($0.item) }
            if !dropLinks.isEmpty {
                var seen: [String] = []
                for l in dropLinks { seen += try liveAdds(symbol, kind: "link", item: l.item) }
                out.append(.linksRemoved(symbol, dropLinks, seen: seen))
            }
            change.added += addLinks.map { "link \($0.rel.rawValue) \($0.target)" }
            change.removed += dropLinks.map { "link \($0.rel.rawValue) \($0.target)" }
        }
        if named("sources") {
            let addSources = Source.changes(adding: r.sources, to: sourcesNow)
            if !addSources.isEmpty { out.append(.sourcesAdded(symbol, addSources)) }
            let wantURLs = Set(r.sources.map(\.url))
            let dropURLs = sourcesNow.map(\.url).filter { !wantURLs.contains($0) }
            if !dropURLs.isEmpty {
                var seen: [String] = []
                for u in dropURLs { seen += try liveAdds(symbol, kind: "source", item: u) }
                out.append(.sourcesRemoved(symbol, urls: dropURLs, seen: seen))
            }
            change.added += addSources.map { "source " + $0.url }
            change.removed += dropURLs.map { "source " + $0 }
        }
        return (out, change)
    }

    /// Imports records idempotently and minimally, signed by `key` (see `plan` for what a
    /// file changes). With `dryRun`, nothing is signed and the report says what would change.
    /// Records planned together (on another core) by `importRecords`, and the step of its progress.
    static let recordsPerChunk = 500

    /// Events `importRecords` signs in one transaction at most, as many as a push's batch: each
    /// commit writes every page its random keys touched (the event ids, the facts' ids), so
    /// larger transactions write fewer pages per event (20,000 records: 500 records per
    /// transaction 7,400 events/s, about 8,200 events 8,400 /s), and an edit made meanwhile
    /// waits for one transaction (about a second here) at most.
    public static let eventsPerTransaction = 8192

    /// - Parameter eventsPerTransaction: a transaction ends once it holds this many events
    ///   (at a record's end: a record's events are signed together).
    public func importRecords(
        _ data: [UInt8], csv: Bool, key: SigningKey, replace: Bool = false, dryRun: Bool = false,
        eventsPerTransaction: Int = Curation.eventsPerTransaction, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> RecordImportReport {
        let (records, errors) = Self.parseRecords(data, csv: csv)
        var handled = 0
        var report = RecordImportReport()
        report.dryRun = dryRun
        report.rows = records.count + errors.filter { $0.row > 0 }.count
        report.errors = errors
        // Planned records are signed together, one transaction per group; a group that is
        // refused is signed again record by record, so a refusal names its row.
        var group: [(row: Int, events: [DomainEvent], change: RecordChange)] = []
        var groupEvents = 0
        func flush() {
            if !dryRun { authorGroup(group, key: key, report: &report) }
            group.removeAll(keepingCapacity: true)
            groupEvents = 0
        }
        let planning = Self.chunks(records, report: &report)
        // Each plan reads only its own record, so the next records are planned (on the other
        // cores) while earlier ones are signed and appended.
        try OrderedPipeline.run(
            maxInFlight: 2,
            produce: { emit in
                for c in planning { guard emit(c) else { return } }
            },
            transform: { [self] chunk in
                (chunk.records.map { c in (c.row, Result { () throws(any Error) in try plan(c.record, replace: replace) }) }, chunk.rows)
            },
            consume: { planned, rows in
                for (row, p) in planned {
                    switch p {
                    case .success(let (events, change)):
                        if events.isEmpty {
                            report.unchanged += 1
                            continue
                        }
                        group.append((row, events, change))
                        groupEvents += events.count
                        report.events += events.count
                        report.changes.append(change)
                        if change.created { report.created += 1 } else { report.updated += 1 }
                    case .failure(let error):
                        report.errors.append(.init(row: row, reason: "\(error)"))
                    }
                    // Counted in events signed: unchanged records add none.
                    if groupEvents >= max(1, eventsPerTransaction) { flush() }
                }
                handled += rows
                progress?(handled, records.count)
            })
        flush()
        progress?(records.count, records.count)
        report.errors.sort { $0.row < $1.row }
        return report
    }

    /// Signs a group of planned records in one transaction; a group that is refused is signed
    /// again record by record, so a refusal names its row (and leaves the report's counts).
    func authorGroup(
        _ group: [(row: Int, events: [DomainEvent], change: RecordChange)], key: SigningKey, report: inout RecordImportReport
    ) {
        guard !group.isEmpty else { return }
        do {
            try author(group.flatMap(\.events), key: key)
            return
        } catch {}
        for (row, events, change) in group {
            do {
                try author(events, key: key)
            } catch {
                report.errors.append(.init(row: row, reason: "\(error)"))
                report.events -= events.count
                report.changes.removeAll { $0 == change }
                if change.created { report.created -= 1 } else { report.updated -= 1 }
            }
        }
    }

    /// A file names each record once (a repeat is an error of its row). Chunks of
    /// `recordsPerChunk` records, each with the rows it covers (its duplicates too), for progress.
    static func chunks(
        _ records: [(Int, ResolutionRecord)], report: inout RecordImportReport
    ) -> [(records: [(row: Int, record: ResolutionRecord)], rows: Int)] {
        var seenKeys: [String: Int] = [:]
        var chunks: [(records: [(row: Int, record: ResolutionRecord)], rows: Int)] = []
        var chunk: [(row: Int, record: ResolutionRecord)] = []
        var rows = 0
        for (row, r) in records {
            rows += 1
            if let first = seenKeys[r.symbol.key] {
                report.errors.append(.init(row: row, reason: "\(r.symbol) appears again (first at row \(first))"))
            } else {
                seenKeys[r.symbol.key] = row
                chunk.append((row, r))
            }
            if chunk.count == recordsPerChunk {
                chunks.append((chunk, rows))
                chunk = []
                rows = 0
            }
        }
        if rows > 0 { chunks.append((chunk, rows)) }
        return chunks
    }

    /// Every record in the record format, in symbol order.
    public func exportRecords() throws -> [ResolutionRecord] {
        let keys = try log.pool.read { db in try String.fetchAll(db, sql: "SELECT key FROM records") }
        return try keys.compactMap { k in try log.pool.read { db in try RecordStateQuery.state(db, key: k, cutoff: nil) }?.record }
            .sorted { $0.symbol < $1.symbol }
    }

    public static func recordsJSON(_ records: [ResolutionRecord]) -> String {
        JSONValue.array(records.map(\.json)).prettyString() + "\n"
    }

    public static func recordsCSV(_ records: [ResolutionRecord]) -> String {
        CSV.encode([ResolutionRecord.csvColumns] + records.map(\.csvRow))
    }
}
