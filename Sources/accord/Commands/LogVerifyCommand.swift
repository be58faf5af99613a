import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct LogVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the transparency log from the events and check the stored tree and the latest checkpoint.")
    @OptionGroup var db: DatabaseOptions

    func run() throws {
        let log = try db.open()
        let report = try log.verifyTransparencyLog()
        print(report.lines.joined(separator: "\n"))
        guard report.problems.isEmpty else {
            throw CLIError("the transparency log does not match the events: \(report.problems[0]); restore from a backup that verifies")
        }
    }
}
