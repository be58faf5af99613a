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
                "\(m.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(m.name.oneLine)  \(m.key)"
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
