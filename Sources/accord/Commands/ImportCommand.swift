import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Ingest an NDJSON log file (an empty node adopts the dataset of the file's genesis event).",
        discussion: "Exits 1 when any line was rejected; the valid lines land regardless.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Argument(help: "The NDJSON file.") var file: String
    @Flag(name: .long, help: "Print the result as JSON.") var json = false
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let log = try dbOptions.open()
        let shown = progress.reporter("import")
        // Read as it is ingested: a file of any size costs a few batches of memory.
        let result = try NDJSONImport.run(path: file, into: log, progress: shown.update)
        shown.finish()
        if json {
            print(jsonString(result))
        } else {
            print("accepted \(result.summary.accepted), duplicate \(result.summary.duplicate), rejected \(result.summary.rejected)")
            for line in result.explained() { print(line.oneLine) }
        }
        let forks = result.rejections.filter { $0.code == EventRejection.Code.equivocation.rawValue }.count
        if forks > 0 {
            printErr(
                "Error: FORK: \(forks) events show a key signing two different events with one seq (one key used on two nodes); "
                    + "`accord forks` lists the evidence, and this node no longer signs with those keys")
        }
        if result.summary.rejected > 0 { throw ExitCode(1) }
    }
}
