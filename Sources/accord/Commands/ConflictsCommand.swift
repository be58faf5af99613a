import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Fields edited concurrently: both values, both signers, the provisional winner.")
    @OptionGroup var db: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let conflicts = try db.curation().conflicts()
        if json {
            print(jsonString(conflicts))
            return
        }
        if conflicts.isEmpty { print("no conflicts") }
        let names = try db.open().membership().members.mapValues(\.name)
        for c in conflicts {
            print("\(c.symbol) \(c.field): \(c.heads.count) values, showing \(c.provisional.value.display)")
            for h in c.heads {
                print("    \(h.value.display)  by \(names[h.author]?.oneLine ?? h.author) at \(h.time)  [\(h.id.prefix(12))]")
            }
        }
    }
}
