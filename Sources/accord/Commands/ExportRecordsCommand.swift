import AccordCore
import AccordStore
import ArgumentParser
import Foundation

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
            writeStdout(Array(text.utf8))
        }
    }
}
