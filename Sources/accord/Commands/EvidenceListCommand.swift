import AccordStore
import ArgumentParser

struct EvidenceListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the evidence this node keeps.")
    @OptionGroup var db: DatabaseOptions
    @Flag(name: .long, help: "Print the evidence as JSON (with both signed notes and the proof).") var json = false
    @Flag(name: .long, help: "Show both signed notes and the proof of each.") var notes = false

    func run() throws {
        let evidence = try db.open().evidence()
        if json { return print(jsonString(evidence)) }
        if evidence.isEmpty { return print("no evidence: every peer log this node checked was consistent") }
        for e in evidence {
            let state = e.decidedAt.map { "decided \($0): \(e.decision ?? "")" } ?? "undecided: syncs with this peer are refused"
            print("#\(e.id) \(e.foundAt) \(e.peer) \(e.family): \(e.detail.oneLine) [\(state)]")
            if notes {
                print("  held:\n" + e.held.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                print("  seen:\n" + e.seen.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                print("  proof: " + (e.proof.isEmpty ? "(none)" : e.proof.split(separator: "\n").joined(separator: " ")))
            }
        }
    }
}
