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
        func who(_ key: String) -> String { names[key] ?? short(key) }
        var lines = entries.map { e in
            let validity = e.invalid.map { "  INVALID (\($0))" } ?? ""
            return (e.time, "\(e.time)  \(who(e.author))  \(e.summary)  [signature \(e.signature), \(e.id.prefix(12))]\(validity)")
        }
        // Redacted events have no change left to show: their redaction (who, when, why) does.
        let shown = Set(entries.map(\.id))
        if f == nil {
            for (target, r) in try curation.log.redactedEvents(subject: s.description) where !shown.contains(target.id) {
                lines.append(
                    (
                        target.time,
                        "\(target.time)  \(who(target.author))  \(target.type): body redacted by \(who(r.author)) at \(r.time): \(r.reason)  [\(target.id.prefix(12))]"
                    ))
            }
        }
        for (_, line) in lines.sorted(by: { $0.0 < $1.0 }) { print(line) }
    }
}
