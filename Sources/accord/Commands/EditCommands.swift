import AccordCore
import AccordStore
import ArgumentParser
import Foundation

/// Options shared by the commands that sign an edit.
struct EditOptions: ParsableArguments {
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions
}

struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a resolution record.")
    @OptionGroup var edit: EditOptions
    @Argument(help: "The symbol: A/RES/71/19, S/RES/2482 (2019), or S/RES/2482 with --adopted.") var symbol: String
    @Option(name: .long) var title: String?
    @Option(name: .long, help: "Adoption date, YYYY-MM-DD.") var adopted: String?
    @Option(name: .long, help: "GA or SC (checked against the symbol).") var body: String?
    @Option(name: .long) var meeting: Int?
    @Option(name: .long, help: "adopted-without-vote, unanimous or recorded:YES-NO-ABSTAIN.") var vote: String?
    @Option(name: .long) var summary: String?
    @Option(name: .long, help: "What the resolution says about INTERPOL.") var interpolRole: String?
    @Option(name: .long) var notes: String?

    func run() throws {
        let key = try edit.key.load(for: edit.db)
        let curation = try edit.db.curation()
        var fields: [RecordField: JSONValue] = [:]
        let given: [(RecordField, String?)] = [
            (.title, title), (.adopted, adopted), (.meeting, meeting.map(String.init)), (.vote, vote), (.summary, summary),
            (.interpolRole, interpolRole), (.notes, notes),
        ]
        for (f, v) in given {
            if let v { fields[f] = try domain { try f.parse(text: v) } }
        }
        if let body {
            let s = try domain { try ResolutionSymbol(parsing: symbol) }
            guard body.uppercased() == s.body.rawValue else { throw CLIError("--body \(body) does not match \(s) (\(s.body.rawValue))") }
        }
        let s = try curation.add(symbol, fields: fields, key: key)
        print(s)
    }
}

/// Runs domain parsing and turns its error into a CLI error.
func domain<T>(_ f: () throws -> T) throws -> T {
    do {
        return try f()
    } catch let e as DomainError {
        throw CLIError(e.message)
    }
}

/// `SYMBOL FIELD VALUE` of `set` and `resolve`; an empty VALUE clears the field.
struct FieldEditArguments: ParsableArguments {
    @Argument var symbol: String
    @Argument var field: String
    @Argument var value: String

    func parsed(_ curation: Curation) throws -> (ResolutionSymbol, RecordField, JSONValue) {
        let s = try curation.existing(symbol)
        let f = try domain { try RecordField(parsing: field) }
        let v = value.isEmpty ? JSONValue.null : try domain { try f.parse(text: value) }
        return (s, f, v)
    }
}

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a field of a record (title, adopted, meeting, vote, summary, interpolRole, notes, text).",
        discussion: "An empty VALUE clears the field. A field in conflict is changed with `accord resolve`.")
    @OptionGroup var edit: EditOptions
    @OptionGroup var change: FieldEditArguments

    func run() throws {
        let curation = try edit.db.curation()
        let (s, f, v) = try change.parsed(curation)
        if let id = try curation.set(s, f, v, key: try edit.key.load(for: edit.db)) {
            print(id)
        } else {
            printErr("\(s) \(f.rawValue) already has that value; nothing signed")
        }
    }
}

struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "End a conflict: set the field to VALUE, replacing every concurrent value.")
    @OptionGroup var edit: EditOptions
    @OptionGroup var change: FieldEditArguments

    func run() throws {
        let curation = try edit.db.curation()
        let (s, f, v) = try change.parsed(curation)
        if let id = try curation.set(s, f, v, key: try edit.key.load(for: edit.db), resolving: true) { print(id) }
    }
}

struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Add topics to a record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @Argument(help: "One or more topics.") var topics: [String]

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        if let id = try curation.tag(s, topics, key: try edit.key.load(for: edit.db)) { print(id) } else { printErr("nothing to add") }
    }
}

struct UntagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "untag", abstract: "Remove topics from a record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @Argument var topics: [String]

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        if let id = try curation.untag(s, topics, key: try edit.key.load(for: edit.db)) { print(id) }
    }
}

/// `--reviews X`, `--recalls X` ... as links.
struct LinkOptions: ParsableArguments {
    @Option(name: .long, help: "This resolution reviews TARGET.") var reviews: [String] = []
    @Option(name: .long) var recalls: [String] = []
    @Option(name: .long) var supersedes: [String] = []
    @Option(name: .long) var amends: [String] = []
    @Option(name: .long) var cites: [String] = []

    func links() throws -> [Link] {
        var out: [Link] = []
        for (rel, targets) in [
            (LinkRelation.reviews, reviews), (.recalls, recalls), (.supersedes, supersedes), (.amends, amends), (.cites, cites),
        ] {
            for t in targets { out.append(Link(rel: rel, target: try domain { try ResolutionSymbol.linkTarget(t) })) }
        }
        guard !out.isEmpty else { throw CLIError("name at least one link: --reviews, --recalls, --supersedes, --amends or --cites TARGET") }
        return out
    }
}

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Link a record to another (the target may not be in the dataset yet).")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @OptionGroup var linkOptions: LinkOptions

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        if let id = try curation.link(s, try linkOptions.links(), key: try edit.key.load(for: edit.db)) {
            print(id)
        } else {
            printErr("already linked")
        }
    }
}

struct UnlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlink", abstract: "Remove links from a record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @OptionGroup var linkOptions: LinkOptions

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        if let id = try curation.unlink(s, try linkOptions.links(), key: try edit.key.load(for: edit.db)) { print(id) }
    }
}

struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source", abstract: "Add (or with --remove, remove) a source URL of a record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @Argument var url: String
    @Option(name: .long) var label: String = ""
    @Flag(name: .long) var remove = false

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        let key = try edit.key.load(for: edit.db)
        let id =
            remove
            ? try curation.removeSources(s, urls: [url], key: key)
            : try curation.addSources(s, [try domain { try Source(url: url, label: label) }], key: key)
        if let id { print(id) }
    }
}

struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Mark a record withdrawn (it stays, history intact).")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @Option(name: .long) var reason: String?

    func run() throws {
        let curation = try edit.db.curation()
        try curation.withdraw(try curation.existing(symbol), reason: reason, key: try edit.key.load(for: edit.db))
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a withdrawn record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String

    func run() throws {
        let curation = try edit.db.curation()
        try curation.restore(try curation.existing(symbol), key: try edit.key.load(for: edit.db))
    }
}

struct ImportRecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-records",
        abstract: "Import records from a JSON array or CSV file (Docs/records.md); unchanged records sign nothing.",
        discussion: """
            Changes only what the file names: a column (CSV) or key (JSON) the file leaves out leaves that field, \
            topic, link or source list untouched; an empty cell or null clears it. --replace makes the file the \
            desired state of each record it lists (what it does not give is cleared or removed). --dry-run prints \
            the per-record changes and signs nothing. Exits 1 when a row was rejected; the valid rows are \
            imported regardless.
            """)
    @OptionGroup var edit: EditOptions
    @Argument var file: String
    @Option(name: .long, help: "json or csv (default: from the extension, else the first byte).") var format: String?
    @Flag(name: .long, help: "Each listed record becomes exactly what the file says: unnamed fields are cleared, unlisted items removed.")
    var replace = false
    @Flag(name: .long, help: "Print what would change, record by record, and sign nothing.") var dryRun = false
    @Flag(name: .long) var json = false
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let bytes = [UInt8](data)
        let csv: Bool
        switch format ?? (file.hasSuffix(".csv") ? "csv" : file.hasSuffix(".json") ? "json" : "") {
        case "csv": csv = true
        case "json": csv = false
        case "": csv = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) != UInt8(ascii: "[")
        default: throw CLIError("--format is json or csv")
        }
        let curation = try edit.db.curation()
        let key = try edit.key.load(for: edit.db)
        let shown = progress.reporter("import-records", unit: "records")
        let report = try curation.importRecords(bytes, csv: csv, key: key, replace: replace, dryRun: dryRun, progress: shown.update)
        shown.finish()
        if json {
            print(jsonString(report))
        } else {
            // A dry run shows every change; a real import lists what it cleared or removed.
            for c in report.changes {
                if dryRun {
                    print(c.lines.joined(separator: "\n"))
                } else if !c.cleared.isEmpty || !c.removed.isEmpty {
                    print(c.lines.filter { !$0.hasPrefix("    set") && !$0.hasPrefix("    add") }.joined(separator: "\n"))
                }
            }
            print(
                "\(report.rows) rows: \(report.created) created, \(report.updated) updated, \(report.unchanged) unchanged, \(report.errors.count) rejected; "
                    + (dryRun ? "\(report.events) events would be signed (dry run: nothing signed)" : "\(report.events) events signed"))
            for e in report.errors { print("row \(e.row): \(e.reason)") }
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}

struct ExportRecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-records", abstract: "Write the current records as JSON or CSV (the import-records format).")
    @OptionGroup var db: DatabaseOptions
    @Option(name: .long) var format: String = "json"
    @Option(name: .long) var out: String?

    func run() throws {
        let records = try db.curation().exportRecords()
        let text: String
        switch format {
        case "json": text = Curation.recordsJSON(records)
        case "csv": text = Curation.recordsCSV(records)
        default: throw CLIError("--format is json or csv")
        }
        if let out {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out))
        } else {
            print(text, terminator: "")
        }
    }
}
