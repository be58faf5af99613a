import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a withdrawn record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String

    func run() throws {
        let curation = try edit.db.curation()
        try curation.restore(try curation.existing(symbol), key: try edit.key.load(for: edit.db))
    }
}
