import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Link a record to another (the target may not be in the dataset yet).")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @OptionGroup var linkOptions: LinkOptions

    func run() throws {
        let curation = try edit.db.curation()
        let s = try curation.existing(symbol)
        if let id = try curation.link(s, try linkOptions.links(), key: try edit.key.load(for: edit.db)) {
            print(id)
        } else {
            printErr("already linked")
        }
    }
}
