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
    @Flag(name: .long, help: "Import the seed records (built into accord) as events signed by this key.") var seed = false
    @Option(name: .long, help: "Seed from this records file (JSON or CSV, as import-records reads) instead; implies --seed.")
    var seedFile: String?

    func run() throws {
        let key = try keyOptions.load()
        // Everything that can fail before anything is written is checked first: the seed is
        // read, and a database file that was not there is removed again if the init fails.
        let seeding = seed || seedFile != nil
        let records = seeding ? try NodeSetup.seedRecords(seedFile) : nil
        let existed = FileManager.default.fileExists(atPath: dbOptions.path)
        do {
            try start(key: key, records: records)
        } catch {
            if !existed {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbOptions.path + suffix) }
                printErr("nothing was created: \(dbOptions.path) is removed again")
            }
            throw error
        }
    }

    /// The genesis event, and the seed records as events.
    func start(key: SigningKey, records: (records: [UInt8], source: String)?) throws {
        let log = try dbOptions.openOrCreate()
        if let existing = try log.datasetID() {
            throw CLIError("\(dbOptions.path) already holds dataset \(existing)")
        }
        let csv = records.map { $0.source.lowercased().hasSuffix(".csv") } ?? false
        let started = try Curation(log: log).createDataset(name: name, creator: creator, seed: records?.records, csv: csv, key: key)
        if let report = started.seeded {
            guard report.errors.isEmpty else {
                for e in report.errors { printErr("row \(e.row): \(e.reason)") }
                throw CLIError(
                    "the seed \(records?.source ?? "") has \(report.errors.count) rows that cannot be imported (above): fix them and run init again"
                )
            }
            print(started.genesis)
            printErr("seeded \(report.created) records (\(report.events) events) from \(records?.source ?? "")")
        } else {
            print(started.genesis)
        }
    }
}
