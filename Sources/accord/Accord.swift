import ArgumentParser

@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord: a signed, event-sourced curation log of UN resolutions, with sync.",
        discussion: "Every edit is an Ed25519-signed event in an append-only SQLite log. See README.md.",
        subcommands: [
            InitCommand.self, KeygenCommand.self, WhoamiCommand.self,
            LogCommand.self, ExportCommand.self, ImportCommand.self, VerifyCommand.self, ForksCommand.self,
            CanonicalCommand.self, BenchCommand.self, MakeVectorsCommand.self,
        ]
    )
}
