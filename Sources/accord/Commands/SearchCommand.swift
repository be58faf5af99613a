import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search (title, summary, INTERPOL role, notes, text), best first; words match their beginnings.")
    @OptionGroup var db: DatabaseOptions
    @Argument(parsing: .remaining) var words: [String]
    @Option(name: .long, help: "At most this many (1 to 500).") var limit: Int = 20
    @Option(name: .long, help: "Skip this many first.") var offset: Int = 0
    @Flag(name: .long) var json = false

    func run() throws {
        let page = try db.curation().search(words.joined(separator: " "), limit: limit, offset: offset)
        if json {
            print(jsonString(page))
            return
        }
        if page.items.isEmpty { print("no match") }
        for h in page.items { print("\(h.symbol)  \(h.title?.oneLine ?? "")\n    \(h.snippet.oneLine)") }
        printErr(
            "\(page.items.isEmpty ? "0" : "\(offset + 1)–\(offset + page.items.count)") of \(page.total) matches"
                + (offset + page.items.count < page.total ? "; --offset \(offset + page.items.count) for more" : ""))
    }
}
