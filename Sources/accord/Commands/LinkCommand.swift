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
        let (curation, s, key) = try edit.open(record: symbol)
        if let id = try curation.link(s, try linkOptions.links(), key: key) {
            print(id)
        } else {
            printErr("already linked")
        }
    }
}
