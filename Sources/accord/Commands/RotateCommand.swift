import AccordCore
import AccordStore
import ArgumentParser
import Foundation

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
