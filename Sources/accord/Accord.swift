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

            Exit status: 0 done; 1 refused or failed, with the reason and the next step on stderr \
            (under --json, also {"error": ...} on stdout) and nothing changed; 64 the command line \
            is wrong (usage on stderr). verify, sync and import-records also exit 1 when they \
            found problems (the report says which), as do clone and import.
            """,
        version: "accord \(Accord.version) (database schema \(EventLog.schemaVersion(projectors: NodeSetup.projectors)))",
        subcommands: [
            ServeCommand.self, CloneCommand.self, SyncCommand.self, PeersCommand.self, HealthCommand.self,
            InitCommand.self, KeygenCommand.self, WhoamiCommand.self,
            MembersCommand.self, GrantCommand.self, RevokeCommand.self, RotateCommand.self, RedactCommand.self,
            AddCommand.self, SetCommand.self, TagCommand.self, UntagCommand.self, LinkCommand.self, UnlinkCommand.self,
            SourceCommand.self, WithdrawCommand.self, RestoreCommand.self, ResolveCommand.self,
            ShowCommand.self, ListCommand.self, SearchCommand.self, HistoryCommand.self, ChainCommand.self,
            ConflictsCommand.self, DigestCommand.self, RebuildCommand.self, ImportRecordsCommand.self, ExportRecordsCommand.self,
            LogCommand.self, ExportCommand.self, ImportCommand.self, VerifyCommand.self, ForksCommand.self, BackupCommand.self,
            CanonicalCommand.self, BenchCommand.self, MakeVectorsCommand.self,
        ]
    )

    static let version = "0.5.0"

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
            // Storage that ran out is said as such, with the next step, whatever layer met it.
            let error: any Error = StorageFullError(error).map { CLIError($0.description) } ?? error
            if CommandLine.arguments.contains("--json"), !(error is ExitCode), !(error is CleanExit) {
                print(jsonString(["error": fullMessage(for: error)]))
            }
            exit(withError: error)
        }
    }
}
