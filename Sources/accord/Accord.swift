import AccordServer
import AccordStore
import ArgumentParser
import Foundation

@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord: a signed, event-sourced curation log of UN resolutions, with sync.",
        discussion: """
            Every edit is an Ed25519-signed event in an append-only SQLite log. See README.md.

            Exit status (on any failure: the reason and the next step on stderr, {"error": ...} \
            on stdout under --json, and nothing changed):
              0   done
              1   refused or failed: bad input, an edit the log refuses, no dataset; also
                  verify, sync, import, import-records and clone when they found problems
              3   not found: no such record or event
              4   conflict: the state is not the one the edit expects (the record exists
                  already, the field is in conflict or changed meanwhile: accord resolve)
              5   not authorized: the key is no member, was revoked, or signs on two nodes
              6   storage full: the disk or --max-db-size is full (free space, try again)
              64  the command line is wrong (usage on stderr)
            """,
        version: "accord \(Accord.version) (database schema \(EventLog.schemaVersion); audit verifier sha256 \(AuditVerifierPage.sha256))",
        subcommands: [
            ServeCommand.self, CloneCommand.self, SyncCommand.self, PeersCommand.self, HealthCommand.self,
            InitCommand.self, KeygenCommand.self, WhoamiCommand.self,
            MembersCommand.self, GrantCommand.self, RevokeCommand.self, RotateCommand.self, RedactCommand.self,
            AddCommand.self, SetCommand.self, TagCommand.self, UntagCommand.self, LinkCommand.self, UnlinkCommand.self,
            SourceCommand.self, WithdrawCommand.self, RestoreCommand.self, ResolveCommand.self,
            ShowCommand.self, ListCommand.self, SearchCommand.self, HistoryCommand.self, ChainCommand.self,
            ConflictsCommand.self, DigestCommand.self, RebuildCommand.self, ImportRecordsCommand.self, ExportRecordsCommand.self,
            LogCommand.self, EvidenceCommand.self, AuditCommand.self, ExportCommand.self, ImportCommand.self, VerifyCommand.self,
            ForksCommand.self,
            BackupCommand.self,
            CanonicalCommand.self, BenchCommand.self,
        ]
    )

    static let version = "0.7.0"

    /// Runs the command; under `--json`, a failure is also printed on stdout as
    /// `{"error": "..."}` so scripts never parse an empty or half-human output.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let error: any Error = StorageFullError(error) ?? error
            if CommandLine.arguments.contains("--json"), !(error is ExitCode), !(error is CleanExit) {
                print(jsonString(["error": fullMessage(for: error)]))
            }
            // Every message leaves through the one stderr exit (TerminalText): errors quote
            // data and peers' answers.
            if let status = exitStatus(for: error) {
                printErr("Error: \(error)")
                Foundation.exit(status)
            }
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { print(message) } else { printErr(message) }
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// The one mapping of the library's typed refusals to exit statuses (listed in
    /// `--help`); nil leaves the error to ArgumentParser (usage 64, anything else 1).
    static func exitStatus(for error: any Error) -> Int32? {
        if let e = error as? CLIError, let underlying = e.underlying { return exitStatus(for: underlying) }
        if StorageFullError(error) != nil { return 6 }
        switch error {
        case is RecordNotFound, is EventNotFound: return 3
        case is EditConflict: return 4
        case is NotAuthorized: return 5
        case is StorageFullError: return 6
        default: return nil
        }
    }
}
