import AccordCore
import ArgumentParser
import Foundation

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an auditor's bundle: signatures, chains, the checkpoint's root, cosignatures, redactions, authority.",
        discussion: """
            Prints what it checked and exits 0, or names the first failure and exits 1. Needs no database and no \
            network. Give --log-key with the log's verifier key published by its operator (accord log checkpoint \
            --vkey), and --witness/--quorum to require witnesses' cosignatures.
            """)
    @Argument(help: "The bundle file.") var file: String
    @Option(name: .long, help: "The log's verifier key (C2SP vkey) the bundle must be signed by.") var logKey: String?
    @Option(name: .long, help: "A witness's verifier key (repeatable).") var witness: [String] = []
    @Option(name: .long, help: "How many of the --witness keys must have co-signed.") var quorum: Int = 0
    @Flag(name: .long, help: "Print only the verdict line.") var quiet = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("cannot read \(file): give the path of a bundle written by accord export --audit")
        }
        guard quorum <= witness.count else {
            throw ValidationError("--quorum \(quorum) is more than the \(witness.count) --witness keys given")
        }
        switch AuditVerifier.verify(Array(data), policy: AuditPolicy(logKey: logKey, witnesses: witness, quorum: quorum)) {
        case .success(let report):
            if !quiet { for line in report.lines { print(line) } }
            print(report.verdict)
        case .failure(let failure):
            // The verdict line, as the verifier page shows it.
            printErr("Not verified: \(failure.description)")
            throw ExitCode(1)
        }
    }
}
