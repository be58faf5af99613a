import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every change to a record: who, when, old -> new, with each signature re-checked.")
    @OptionGroup var db: DatabaseOptions
    @Argument var symbol: String
    @Option(name: .long) var field: String?
    @Flag(name: .long) var json = false

    func run() throws {
        let curation = try db.curation()
        let s = try curation.existing(symbol)
        let f = try field.map { f in try domain { try RecordField(parsing: f) } }
        let entries = try curation.history(s, field: f)
        if json {
            print(jsonString(entries))
            return
        }
        let names = try curation.log.membership().members.mapValues(\.name)
        func who(_ key: String) -> String { names[key]?.oneLine ?? short(key) }
        for e in entries {
            let validity = e.invalid.map { "  INVALID (\($0.oneLine))" } ?? ""
            let what =
                e.redaction.map { "\(e.change): body redacted by \(who($0.author)) at \($0.time): \($0.reason.oneLine)" }
                ?? ChangeText.describe(change: e.change, field: e.field, old: e.old, new: e.new, oldAuthors: e.oldAuthors, name: who)
                .oneLine
            print("\(e.time)  \(who(e.author))  \(what)  [signature \(e.signature), \(e.id.prefix(12))]\(validity)")
        }
    }
}
