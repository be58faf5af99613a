import ArgumentParser

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check an auditor's bundle (accord export --audit) offline, without a node.",
        subcommands: [AuditVerifyCommand.self])
}
