import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "A hash of the whole projected dataset: equal on nodes that show the same data.")
    @OptionGroup var db: DatabaseOptions

    func run() throws { print(try db.curation().digest()) }
}
