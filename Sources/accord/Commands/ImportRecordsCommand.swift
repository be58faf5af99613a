import AccordCore
import AccordStore
import ArgumentParser
import Foundation

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
                    print(c.lines.map(\.oneLine).map(\.oneLine).joined(separator: "\n"))
                } else if !c.cleared.isEmpty || !c.removed.isEmpty {
                    print(c.lines.filter { !$0.hasPrefix("    set") && !$0.hasPrefix("    add") }.map(\.oneLine).joined(separator: "\n"))
                }
            }
            print(
                "\(report.rows) rows: \(report.created) created, \(report.updated) updated, \(report.unchanged) unchanged, \(report.errors.count) rejected; "
                    + (dryRun ? "\(report.events) events would be signed (dry run: nothing signed)" : "\(report.events) events signed"))
            for e in report.errors { print("row \(e.row): \(e.reason.oneLine)") }
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}
