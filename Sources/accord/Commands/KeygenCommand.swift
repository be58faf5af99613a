import AccordCore
import ArgumentParser
import Foundation

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create a new Ed25519 signing key (mode 0600) and print its public key.")

    @Option(name: .long, help: "Where to write the key (default: $ACCORD_KEY, else $XDG_CONFIG_HOME/accord/key).")
    var out: String?

    func run() throws {
        let path = out ?? ProcessInfo.processInfo.environment["ACCORD_KEY"] ?? KeyStore.defaultPath
        let key = SigningKey.generate()
        try KeyStore.create(key, path: path)
        print(key.author.text)
        printErr("private key written to \(path)")
    }
}
