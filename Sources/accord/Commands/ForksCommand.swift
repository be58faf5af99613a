import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct ForksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forks", abstract: "List equivocations: two signed events by one author with the same seq.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let forks = try dbOptions.open().forks()
        if json {
            print(jsonString(forks))
            return
        }
        if forks.isEmpty { print("no forks") }
        for f in forks {
            print("\(f.author) seq \(f.seq): kept \(f.existingID), fork \(f.forkID) (seen \(f.detectedAt))")
        }
    }
}
