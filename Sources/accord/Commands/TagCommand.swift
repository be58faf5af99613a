import AccordCore
import AccordStore
import ArgumentParser
import Foundation

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
