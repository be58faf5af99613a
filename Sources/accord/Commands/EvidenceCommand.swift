import ArgumentParser

struct EvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Inconsistencies found in peers' transparency logs, and an admin's decision on each.",
        discussion: """
            A sync keeps evidence when a peer's signed checkpoint contradicts the one this node verified before \
            (a history rewritten, a tree gone back): both signed notes and the proof the peer gave. While evidence \
            against a peer is undecided this node does not sync with it. `accord evidence decide ID --trust` \
            accepts the peer's new history; `--keep` keeps the old (the peer stays refused until it serves a \
            history that extends it). Docs/transparency.md.
            """,
        subcommands: [EvidenceListCommand.self, EvidenceDecideCommand.self],
        defaultSubcommand: EvidenceListCommand.self)
}
