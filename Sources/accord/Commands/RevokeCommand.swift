import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "End a key's membership after a seq (admins only); its later events are invalid on every node.")
    @OptionGroup var edit: EditOptions
    @Argument var member: String
    @Option(name: .long, help: "The last seq that stays valid (default: the highest seq this node holds for the key).")
    var validThrough: Int?

    func run() throws {
        let k = try authorKey(member)
        if let validThrough, validThrough < 0 { throw CLIError("--valid-through is a seq of the member's chain: 0 or more") }
        let log = try edit.db.open()
        let revoked = try Curation(log: log).revoke(k, validThrough: validThrough, key: try edit.key.load(for: edit.db))
        print(revoked.id)
        printErr("\(k.text) may sign up to its seq \(revoked.validThrough)")
    }
}
