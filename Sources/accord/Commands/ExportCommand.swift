import AccordCore
import AccordServer
import AccordStore
import ArgumentParser
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the whole log in wire form, one event per line, in log order; or an auditor's bundle.",
        discussion: """
            --audit writes an auditor's bundle instead: this node's latest checkpoint with its cosignatures and \
            the verifier keys, then the events it covers in log order as their exact canonical bytes (an erased \
            body replaced by the id of the redaction that erased it). `accord audit verify FILE` checks it offline \
            (Docs/transparency.md, "The auditor's bundle"). --audit-verifier writes the offline verifier page, the \
            same page every node serves at /audit/verify.html (its SHA-256 is in accord --version).
            """)
    @OptionGroup var dbOptions: DatabaseOptions
    @OptionGroup var key: KeyOptions
    @Option(name: .long, help: "Output format (ndjson).") var format: String = "ndjson"
    @Option(name: .long, help: "Output file (default: stdout).") var out: String?
    @Flag(name: .long, help: "Write an auditor's bundle (signs a checkpoint first when this node has none).") var audit = false
    @Flag(name: .long, help: "Write the offline verifier page (HTML) for auditor's bundles.") var auditVerifier = false

    func run() throws {
        guard format == "ndjson" else { throw CLIError("unknown format \(format); the log exports as ndjson") }
        if auditVerifier {
            guard !audit else { throw ValidationError("give --audit or --audit-verifier, not both") }
            guard let out else { throw ValidationError("--audit-verifier needs --out FILE (for example --out verify.html)") }
            try Data(AuditVerifierPage.bytes).write(to: URL(fileURLWithPath: out))
            return printErr("wrote the audit verifier to \(out) (sha256 \(AuditVerifierPage.sha256))")
        }
        let log = try dbOptions.open()
        let handle: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil) else { throw CLIError("cannot create \(out)") }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        } else {
            // The log's exact bytes are data, not a page to read: a terminal would be shown
            // (and could act on) whatever the events hold.
            guard !stdoutIsTerminal else {
                throw CLIError("export writes the log's exact bytes: give --out FILE or redirect it (accord export > log.ndjson)")
            }
            handle = FileHandle.standardOutput
        }
        let n: Int
        do {
            n = audit ? try exportAudit(log, to: handle) : try log.exportNDJSON(to: handle)
        } catch {
            // Nothing half-written is left behind.
            if let out { try? FileManager.default.removeItem(atPath: out) }
            throw error
        }
        if out != nil {
            try handle.close()
            printErr("exported \(n) events to \(out!)" + (audit ? " (an auditor's bundle: accord audit verify \(out!))" : ""))
        }
    }

    private func exportAudit(_ log: EventLog, to handle: FileHandle) throws -> Int {
        if try log.auditCheckpoint() == nil {
            let signer: SigningKey
            do {
                signer = try key.load(for: dbOptions)
            } catch {
                throw CLIError(
                    "this node has signed no checkpoint yet and its key cannot be read (\(error)): give --key, or run accord log checkpoint"
                )
            }
            try log.signCheckpoint(with: signer, interval: 0)
        }
        guard let (note, vkey) = try log.auditCheckpoint() else { throw CLIError("this node has no checkpoint") }
        return try log.exportAudit(checkpoint: note, logKey: vkey) { handle.write(Data($0)) }
    }
}
