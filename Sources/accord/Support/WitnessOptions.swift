import AccordCore
import ArgumentParser
import Foundation

/// The witnesses a node names: whose cosignatures it keeps on its own checkpoints, and how
/// many it requires on its peers' (Docs/transparency.md, "Witnesses").
struct WitnessOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A witness's key (C2SP vkey; `accord log checkpoint --witness-vkey` prints a node's). Repeatable.", valueName: "vkey"))
    var witness: [String] = []
    @Option(name: .long, help: "How many of the --witness keys must co-sign a peer's checkpoint (0: none required).")
    var witnessQuorum = 0
    @Option(name: .long, help: "The oldest a required cosignature may be, e.g. 10m or 1h (a frozen view is refused).")
    var maxCheckpointAge = "1h"

    var verifiers: [NoteVerifier] {
        get throws {
            try witness.map { text in
                do {
                    let v = try NoteVerifier(vkey: text.trimmingCharacters(in: .whitespacesAndNewlines))
                    guard v.type == NoteVerifier.cosignature else { throw NoteError("it is a note key, not a witness key (type 0x04)") }
                    return v
                } catch {
                    throw CLIError("--witness \(String(text.prefix(80)).oneLine) is not a witness key: \(error)")
                }
            }
        }
    }

    var maxAge: TimeInterval {
        get throws {
            let d = try parseDuration(maxCheckpointAge)
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
    }

    /// The policy for peers' checkpoints, nil when no witness is required.
    var policy: WitnessPolicy? {
        get throws {
            let verifiers = try self.verifiers
            guard witnessQuorum >= 0, witnessQuorum <= verifiers.count else {
                throw CLIError("--witness-quorum \(witnessQuorum) must be 0 to the number of --witness keys (\(verifiers.count))")
            }
            return witnessQuorum > 0 ? WitnessPolicy(witnesses: verifiers, quorum: witnessQuorum, maxAge: try maxAge) : nil
        }
    }
}
