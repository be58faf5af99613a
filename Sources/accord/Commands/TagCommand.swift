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
        let (curation, s, key) = try edit.open(record: symbol)
        if let id = try curation.tag(s, topics, key: key) { print(id) } else { printErr("nothing to add") }
    }
}
