import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check every stored event from its stored bytes: ids, body hashes, signatures, chains, dataset.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Flag(name: .long, help: "Print the report as JSON.") var json = false
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let log = try dbOptions.open()
        let shown = progress.reporter("verify")
        let report = try log.verify(progress: shown.update)
        shown.finish()
        if try log.datasetID() != nil, try log.membership().activeAdmins.isEmpty {
            printErr(
                "warning: this dataset has no admin (every admin key is revoked or no longer an admin); `accord members` shows who is left")
        }
        if json {
            print(jsonString(report))
        } else {
            for p in report.problems {
                print("BAD \(p.position.map { "#\($0)" } ?? "") \(p.id ?? ""): \(p.message)")
            }
            print(
                "\(report.events) events, \(report.authors) authors, \(report.bodies) bodies, \(report.redactedBodies) redacted, "
                    + "\(report.pendingBodies) bodies pending: "
                    + (report.isClean ? "ok" : "\(report.problems.count) problems"))
        }
        if !report.isClean { throw ExitCode(1) }
    }
}
