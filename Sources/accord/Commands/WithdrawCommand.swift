import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Mark a record withdrawn (it stays, history intact).")
    @OptionGroup var edit: EditOptions
    @Argument var symbol: String
    @Option(name: .long) var reason: String?

    func run() throws {
        let (curation, s, key) = try edit.open(record: symbol)
        try curation.withdraw(s, reason: reason, key: key)
    }
}
