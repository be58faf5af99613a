import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct GrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Make a key a member (admins only).")
    @OptionGroup var edit: EditOptions
    @Argument(help: "The member's public key (ed25519:...).") var member: String
    @Option(name: .long, help: "admin or editor.") var role: String = "editor"
    @Option(name: .long, help: "Display name.") var name: String

    func run() throws {
        guard let r = MemberRole(rawValue: role) else { throw CLIError("--role is admin or editor") }
        let k = try authorKey(member)
        let n = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(n.count) else { throw CLIError("--name is 1 to 200 characters") }
        let log = try edit.db.open()
        let current = try log.members().first { $0.key == k.text }
        let signer = try edit.key.load(for: edit.db)
        // A role change applies from the key's next seq (after this grant, when a key changes
        // its own role): what it signed before keeps its authority.
        let held = try log.highestSeq(k.text) ?? 0
        let from = current == nil ? 1 : held + (signer.author == k ? 2 : 1)
        let ids = try Curation(log: log).authorize([.granted(key: k, role: r, name: n, fromSeq: from)], key: signer)
        print(ids[0])
        if let current {
            printErr(
                "\(n) is \(r.rawValue) for its events from seq \(from) on (was \(current.role.rawValue) \"\(current.name)\"); what it signed before keeps its authority"
            )
        }
    }
}
