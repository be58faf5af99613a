import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "End a conflict: set the field to VALUE, replacing every concurrent value.")
    @OptionGroup var edit: EditOptions
    @OptionGroup var change: FieldEditArguments

    func run() throws {
        let curation = try edit.db.curation()
        let (s, f, v) = try change.parsed(curation)
        if let id = try curation.set(s, f, v, key: try edit.key.load(for: edit.db), resolving: true) { print(id) }
    }
}
