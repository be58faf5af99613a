import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a resolution record.")
    @OptionGroup var edit: EditOptions
    @Argument(help: "The symbol: A/RES/71/19, S/RES/2482 (2019), or S/RES/2482 with --adopted.") var symbol: String
    @Option(name: .long) var title: String?
    @Option(name: .long, help: "Adoption date, YYYY-MM-DD.") var adopted: String?
    @Option(name: .long, help: "GA or SC (checked against the symbol).") var body: String?
    @Option(name: .long) var meeting: Int?
    @Option(name: .long, help: "adopted-without-vote, unanimous or recorded:YES-NO-ABSTAIN.") var vote: String?
    @Option(name: .long) var summary: String?
    @Option(name: .long, help: "What the resolution says about INTERPOL.") var interpolRole: String?
    @Option(name: .long) var notes: String?

    func run() throws {
        let key = try edit.key.load(for: edit.db)
        let curation = try edit.db.curation()
        var fields: [RecordField: JSONValue] = [:]
        let given: [(RecordField, String?)] = [
            (.title, title), (.adopted, adopted), (.meeting, meeting.map(String.init)), (.vote, vote), (.summary, summary),
            (.interpolRole, interpolRole), (.notes, notes),
        ]
        for (f, v) in given {
            if let v { fields[f] = try domain { try f.parse(text: v) } }
        }
        if let body {
            let s = try domain { try ResolutionSymbol(parsing: symbol) }
            guard body.uppercased() == s.body.rawValue else { throw CLIError("--body \(body) does not match \(s) (\(s.body.rawValue))") }
        }
        let s = try curation.add(symbol, fields: fields, key: key)
        print(s)
    }
}
