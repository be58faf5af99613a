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
        let (curation, s, key) = try edit.open(record: symbol)
        if let id = try curation.untag(s, topics, key: key) { print(id) }
    }
}
