import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct ChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain", abstract: "The review chain a record belongs to, oldest first.")
    @OptionGroup var db: DatabaseOptions
    @Argument var symbol: String

    func run() throws {
        let curation = try db.curation()
        let view = try curation.chainView(try curation.existing(symbol))
        for s in view.records { print(view.withdrawn.contains(s.key) ? "\(s)  [withdrawn]" : s.description) }
        if view.loops {
            printErr(
                "warning: the reviews links of this chain loop (concurrent edits on two nodes each added one half); remove one with `accord unlink`"
            )
        }
    }
}
