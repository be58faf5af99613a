import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Erase an event's body on every node (admins only); its envelope and signature stay and still verify.")
    @OptionGroup var edit: EditOptions
    @Argument var eventID: String
    @Option(name: .long) var reason: String

    func run() throws {
        let log = try edit.db.open()
        let e = try log.event(idOrPrefix: eventID)
        let ids = try Curation(log: log).authorize([.redacted(target: e.id, reason: reason)], key: try edit.key.load(for: edit.db))
        print(ids[0])
    }
}
