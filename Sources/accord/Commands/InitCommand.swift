import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Start a new dataset: a genesis event signed by the configured key.")
    @OptionGroup var dbOptions: DatabaseOptions
    @OptionGroup var keyOptions: KeyOptions
    @Option(name: .long, help: "The dataset's name.") var name: String = "UN resolutions highlighting INTERPOL's role"
    @Option(name: .long, help: "Your name as the dataset's creator (its first admin), shown in history.") var creator: String?
    @Flag(name: .long, help: "Import the seed records (Events/seed) as events signed by this key.") var seed = false
    @Option(name: .long, help: "The seed records file (default: Events/seed/resolutions.json).") var seedFile: String?

    func run() throws {
        let key = try keyOptions.load()
        let log = try dbOptions.openOrCreate()
        if let existing = try log.datasetID() {
            throw CLIError("\(dbOptions.path) already holds dataset \(existing)")
        }
        var records: [UInt8]?
        var file = ""
        if seed {
            file = try NodeSetup.seedFile(seedFile)
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            records = [UInt8](data)
        }
        let started = try Curation(log: log).createDataset(name: name, creator: creator, seed: records, key: key)
        print(started.genesis)
        if let report = started.seeded {
            printErr("seeded \(report.created) records (\(report.events) events) from \(file)")
            for e in report.errors { printErr("row \(e.row): \(e.reason)") }
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }
}
