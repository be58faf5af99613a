import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the whole log in wire form, one event per line, in log order.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Option(name: .long, help: "Output format (ndjson).") var format: String = "ndjson"
    @Option(name: .long, help: "Output file (default: stdout).") var out: String?

    func run() throws {
        guard format == "ndjson" else { throw CLIError("unknown format \(format); the log exports as ndjson") }
        let log = try dbOptions.open()
        let handle: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil) else { throw CLIError("cannot create \(out)") }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        } else {
            // The log's exact bytes are data, not a page to read: a terminal would be shown
            // (and could act on) whatever the events hold.
            guard !stdoutIsTerminal else {
                throw CLIError("export writes the log's exact bytes: give --out FILE or redirect it (accord export > log.ndjson)")
            }
            handle = FileHandle.standardOutput
        }
        let n = try log.exportNDJSON(to: handle)
        if out != nil {
            try handle.close()
            printErr("exported \(n) events to \(out!)")
        }
    }
}
