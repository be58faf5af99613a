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
        let (curation, s, key) = try edit.open(record: symbol)
        if let id = try curation.unlink(s, try linkOptions.links(), key: key) { print(id) }
    }
}
