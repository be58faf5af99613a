import AccordStore
import ArgumentParser

struct EvidenceDecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide", abstract: "Decide on evidence: trust the peer's new history, or keep the one verified before.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The evidence's number (`accord evidence` lists them).") var id: Int
    @Flag(name: .long, help: "Trust the checkpoint seen: the peer's new history is its log from now on.") var trust = false
    @Flag(name: .long, help: "Keep the checkpoint held: syncs go on only once the peer serves a history that extends it.")
    var keep = false
    @Option(name: .long, help: "Who decides (kept with the decision).") var by = "the node's operator"

    func validate() throws {
        guard trust != keep else { throw ValidationError("say --trust or --keep") }
    }

    func run() throws {
        let log = try db.open()
        do {
            try log.decideEvidence(id: id, trustSeen: trust, by: by)
        } catch let error as TransparencyError {
            throw CLIError("\(error)", underlying: error)
        }
        print("evidence #\(id) decided: " + (trust ? "the peer's new history is trusted" : "the history verified before is kept"))
    }
}
