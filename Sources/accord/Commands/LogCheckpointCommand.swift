import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct LogCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print this node's latest checkpoint (a C2SP signed note), signing one with the node's key if the tree grew.")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions
    @Flag(name: .long, help: "Print the node's verifier key (C2SP vkey) instead.") var vkey = false
    @Flag(name: .long, help: "Print the node's witness key (the C2SP vkey its cosignatures verify under) instead.")
    var witnessVkey = false

    func run() throws {
        let log = try db.open()
        let signer = try key.load(for: db)
        if witnessVkey { return print(Witness.signer(signer).verifier.vkey) }
        if vkey {
            print(try NoteVerifier(name: try log.logOrigin(node: signer.author), publicKey: signer.author.raw).vkey)
            return
        }
        print(String(decoding: try log.signCheckpoint(with: signer, interval: 0).bytes, as: UTF8.self), terminator: "")
    }
}
