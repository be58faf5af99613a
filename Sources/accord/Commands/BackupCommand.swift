import AccordStore
import ArgumentParser
import Foundation

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the node's database consistently, also while it serves and writes.",
        discussion: """
            Uses SQLite's online backup: the copy is one consistent state of the log and its read \
            models. `accord verify --db FILE` checks it; `accord serve --db FILE` runs a node on it.
            """)
    @OptionGroup var db: DatabaseOptions
    @Option(name: .long, help: "The new file to write (must not exist).") var out: String

    func run() throws {
        let log = try db.open()
        let events = try log.backup(to: out)
        print("backed up \(events) events to \(out)")
    }
}
