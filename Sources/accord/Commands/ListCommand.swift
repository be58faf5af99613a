public import AccordCore
import AccordStore
public import ArgumentParser
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List records, optionally filtered and sorted; every match unless --limit.")
    @OptionGroup var db: DatabaseOptions
    @Option(name: .long, help: "GA or SC.") var body: ResolutionSymbol.Body?
    @Option(name: .long) var year: Int?
    @Option(name: .long) var topic: String?
    @Option(name: .long, help: "all, current or withdrawn.") var status: Curation.ListStatus = .all
    @Option(name: .long, help: "symbol, year (newest first) or title.") var sort: Curation.ListOrder = .symbol
    @Option(name: .long, help: "At most this many (1 to 500).") var limit: Int?
    @Option(name: .long, help: "Skip this many first.") var offset: Int = 0
    @Flag(name: .long) var json = false

    func run() throws {
        var q = Curation.ListQuery()
        q.body = body
        q.year = year
        q.topic = topic.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        q.status = status
        q.order = sort
        q.limit = limit ?? Curation.maxPageSize
        q.offset = offset
        let curation = try db.curation()
        // Without --limit: every page.
        var rows: [Curation.Summary] = []
        var total = 0
        repeat {
            let page = try curation.list(q)
            rows += page.items
            total = page.total
            q.offset += page.items.count
            if page.items.isEmpty { break }
        } while limit == nil && q.offset < total
        if json {
            print(jsonString(rows))
            return
        }
        for r in rows {
            print(
                "\(r.symbol.padding(toLength: 18, withPad: " ", startingAt: 0)) \(r.year.map(String.init) ?? "    ")  \(r.title?.oneLine ?? "—")\(r.withdrawn ? "  [withdrawn]" : "")"
            )
        }
        if limit != nil, offset + rows.count < total {
            printErr("\(offset + 1)–\(offset + rows.count) of \(total); --offset \(offset + rows.count) for more")
        }
    }
}

extension ResolutionSymbol.Body: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
extension Curation.ListStatus: ExpressibleByArgument {}
extension Curation.ListOrder: ExpressibleByArgument {}
