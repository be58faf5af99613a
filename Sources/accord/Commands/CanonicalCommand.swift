import AccordCore
import ArgumentParser
import Foundation

struct CanonicalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canonical",
        abstract: "Read one JSON text on stdin and write its RFC 8785 canonical form on stdout.")

    func run() throws {
        let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        do {
            writeStdout(try JSONParser.parse(input).canonicalBytes)
        } catch {
            printErr("accord canonical: \(error.description)")
            throw ExitCode(1)
        }
    }
}
