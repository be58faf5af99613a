import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a withdrawn record, or (--backup FILE) the node's database from a backup.",
        discussion: """
            `accord restore SYMBOL` brings a withdrawn record back (a signed edit). \
            `accord restore --backup FILE` replaces the node's database (--db) with a copy `accord backup` made, \
            while the node is stopped: the copy is checked first, the database it replaces is moved aside (never deleted), \
            and the restored node signs its transparency log under a new epoch, so its peers see a restore announced \
            and push back what it lost, instead of a rewritten history (Docs/transparency.md).
            """)
    @OptionGroup var edit: EditOptions
    @Option(name: .long, help: "Restore the database from this `accord backup` copy (stop the node first).") var backup: String?
    @Argument(help: "The withdrawn record to restore.") var symbol: String?

    func validate() throws {
        guard (backup == nil) != (symbol == nil) else { throw ValidationError("name a withdrawn record, or --backup FILE, not both") }
    }

    func run() throws {
        if let backup {
            let path = edit.db.path
            let report: RestoreReport
            do {
                report = try EventLog.restore(backup: backup, to: path)
            } catch let error as InvalidInput {
                throw CLIError("cannot restore: \(error)", underlying: error)
            }
            print("restored \(report.events) events from \(backup) into \(path); its log now signs as epoch \(report.epoch)")
            if let moved = report.replacedMovedTo { print("the database it replaced was moved to \(moved)") }
            print("start the node again; syncing with its peers brings back the events made after the backup")
            return
        }
        guard let symbol else { return }
        let (curation, s, key) = try edit.open(record: symbol)
        try curation.restore(s, key: key)
    }
}
