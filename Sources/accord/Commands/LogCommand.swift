import ArgumentParser

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The log: its events, and the transparency log of this node's append order (checkpoints, proofs).",
        discussion: """
            Every event this node stores is a leaf of its transparency log (RFC 6962), in the order it appended them.
            `accord log checkpoint` prints the node's signed checkpoint (C2SP tlog-checkpoint), `accord log prove ID`
            an inclusion proof, and `accord log verify` recomputes the tree from the events and checks it and the
            latest checkpoint (Docs/transparency.md).
            """,
        subcommands: [LogListCommand.self, LogCheckpointCommand.self, LogProveCommand.self, LogVerifyCommand.self],
        defaultSubcommand: LogListCommand.self)
}
