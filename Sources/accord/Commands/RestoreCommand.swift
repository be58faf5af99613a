import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a withdrawn record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String

    func run() throws {
        let (curation, s, key) = try edit.open(record: symbol)
        try curation.restore(s, key: key)
    }
}
