import AccordCore
import ArgumentParser
import Foundation

struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Print the configured key's public key.")
    @OptionGroup var keyOptions: KeyOptions

    func run() throws {
        print(try keyOptions.load().author.text)
    }
}
