import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct UnlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlink", abstract: "Remove links from a record.")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @OptionGroup var linkOptions: LinkOptions

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        if let id = try curation.unlink(s, try linkOptions.links(), key: try edit.key.load(for: edit.db)) { print(id) }
    }
}
