import AccordCore
import AccordStore
import ArgumentParser
import Foundation

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
