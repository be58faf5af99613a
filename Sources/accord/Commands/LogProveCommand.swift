import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct LogProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Print the inclusion proof of an event in this node's transparency log.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The event id (64 hex digits).") var id: String
    @Option(name: .long, help: "The tree size to prove against (default: the whole tree).") var size: Int?

    func run() throws {
        guard Hex.isSHA256(id) else { throw CLIError("an event id is 64 lowercase hex digits; `accord log` lists them") }
        let log = try db.open()
        let (index, treeSize, proof) = try log.inclusionProof(id: id, size: size)
        let root = try log.treeRoot(size: treeSize)
        print("event \(id)\nindex \(index)\nsize \(treeSize)\nroot \(Data(root).base64EncodedString())")
        for h in proof { print(Data(h).base64EncodedString()) }
    }
}
