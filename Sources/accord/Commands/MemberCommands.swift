import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct MembersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: "Who may write to the dataset, and in which role.")
    @OptionGroup var db: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let log = try db.open()
        let members = try log.members()
        let state = try log.membership()
        if json {
            print(jsonString(members))
            return
        }
        for m in members {
            var notes: [String] = []
            let periods = state.periods[m.key] ?? []
            if periods.count > 1 {
                notes.append(periods.map { "\($0.role.rawValue) from seq \($0.fromSeq)" }.joined(separator: ", "))
            }
            if let cut = m.validThroughSeq { notes.append("revoked after seq \(cut)") }
            print(
                "\(m.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(m.name)  \(m.key)"
                    + (notes.isEmpty ? "" : "  (" + notes.joined(separator: "; ") + ")"))
        }
        if state.activeAdmins.isEmpty && !members.isEmpty {
            printErr(
                "WARNING: this dataset has no admin: every admin key is revoked or no longer an admin, so nobody can grant, revoke or redact. "
                    + "Concurrent changes on offline nodes did this; it cannot be undone from the log — start a new dataset from `accord export-records` if you need an admin"
            )
        }
    }
}

func authorKey(_ text: String) throws -> AuthorKey {
    do {
        return try AuthorKey(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
    } catch {
        throw CLIError(error.message)
    }
}

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

struct RotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace the configured key: grant the new key the same name and role, revoke the old one at its last seq.",
        discussion: "Signed by the configured key when it is an admin, else by --admin-key. Creates --new-key if the file does not exist.")
    @OptionGroup var edit: EditOptions
    @Option(name: .long, help: "The new key file.") var newKey: String
    @Option(name: .long, help: "An admin's key, when the rotated key is an editor.") var adminKey: String?

    func run() throws {
        let log = try edit.db.open()
        let old = try edit.key.load(for: edit.db)
        if !FileManager.default.fileExists(atPath: newKey) { try KeyStore.create(SigningKey.generate(), path: newKey) }
        let new = try KeyStore.load(path: newKey)
        do {
            try Curation(log: log).rotate(old, to: new, admin: try adminKey.map { try KeyStore.load(path: $0) })
        } catch is RotationNeedsAnAdmin {
            throw CLIError("an editor's key is rotated by an admin: pass --admin-key")
        }
        print(new.author.text)
        printErr("\(old.author.text) is revoked after its last event; use the new key from now on (--key \(newKey))")
    }
}

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
