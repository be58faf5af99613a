import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source", abstract: "Add (or with --remove, remove) a source URL of a record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @Argument var url: String
    @Option(name: .long) var label: String = ""
    @Flag(name: .long) var remove = false

    func run() throws {
        let (curation, s, key) = try edit.open(record: symbol)
        let id =
            remove
            ? try curation.removeSources(s, urls: [url], key: key)
            : try curation.addSources(s, [try domain { try Source(url: url, label: label) }], key: key)
        if let id { print(id) }
    }
}
