import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a field of a record (title, adopted, meeting, vote, summary, interpolRole, notes, text).",
        discussion: "An empty VALUE clears the field. A field in conflict is changed with `accord resolve`.")
    @OptionGroup var edit: EditOptions
    @OptionGroup var change: FieldEditArguments

    func run() throws {
        let curation = try edit.db.curation()
        let (s, f, v) = try change.parsed(curation)
        if let id = try curation.set(s, f, v, key: try edit.key.load(for: edit.db)) {
            print(id)
        } else {
            printErr("\(s) \(f.rawValue) already has that value; nothing signed")
        }
    }
}
