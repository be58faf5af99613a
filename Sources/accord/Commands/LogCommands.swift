import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Start a new dataset: a genesis event signed by the configured key.")
    @OptionGroup var dbOptions: DatabaseOptions
    @OptionGroup var keyOptions: KeyOptions
    @Option(name: .long, help: "The dataset's name.") var name: String = "UN resolutions highlighting INTERPOL's role"
    @Option(name: .long, help: "Your name as the dataset's creator (its first admin), shown in history.") var creator: String?
    @Flag(name: .long, help: "Import the seed records (Events/seed) as events signed by this key.") var seed = false
    @Option(name: .long, help: "The seed records file (default: Events/seed/resolutions.json).") var seedFile: String?

    func run() throws {
        let key = try keyOptions.load()
        let log = try dbOptions.openOrCreate()
        if let existing = try log.datasetID() {
            throw CLIError("\(dbOptions.path) already holds dataset \(existing)")
        }
        var records: [UInt8]?
        var file = ""
        if seed {
            file = try Node.seedFile(seedFile)
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            records = [UInt8](data)
        }
        let started = try Curation(log: log).createDataset(name: name, creator: creator, seed: records, key: key)
        print(started.genesis)
        if let report = started.seeded {
            printErr("seeded \(report.created) records (\(report.events) events) from \(file)")
            for e in report.errors { printErr("row \(e.row): \(e.reason)") }
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "List the events of the log in order.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Flag(name: .long, help: "One JSON object per event, as a JSON array.") var json = false

    struct Entry: Codable {
        let pos: Int64, id: String, author: String, seq: Int, time: String, type: String
        let subject: String?
        let redacted: Bool
    }

    func run() throws {
        let log = try dbOptions.open()
        if json { print("[", terminator: "") }
        var first = true
        try log.forEachChunk { chunk in
            var out = ""
            for e in chunk {
                if json {
                    let entry = Entry(
                        pos: e.pos, id: e.id, author: e.author, seq: e.seq, time: e.time, type: e.type, subject: e.subject,
                        redacted: e.bodyBytes == nil)
                    let enc = JSONEncoder()
                    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    out += (first ? "\n" : ",\n") + String(decoding: try enc.encode(entry), as: UTF8.self)
                    first = false
                } else {
                    out += "\(e.pos)\t\(e.time)\t\(e.author.prefix(20))…#\(e.seq)\t\(e.type)\t\(e.subject ?? "-")\t\(e.id.prefix(16))\n"
                }
            }
            print(out, terminator: "")
        }
        if json { print("\n]") }
    }
}

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
            handle = FileHandle.standardOutput
        }
        let n = try log.exportNDJSON(to: handle)
        if out != nil {
            try handle.close()
            printErr("exported \(n) events to \(out!)")
        }
    }
}

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
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let log = try dbOptions.open()
        let shown = progress.reporter("import")
        let result = try NDJSONImport.run(data: [UInt8](data), into: log, progress: shown.update)
        shown.finish()
        if json {
            print(jsonString(result))
        } else {
            print("accepted \(result.summary.accepted), duplicate \(result.summary.duplicate), rejected \(result.summary.rejected)")
            for line in result.explained() { print(line) }
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

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check every stored event from its stored bytes: ids, body hashes, signatures, chains, dataset.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Flag(name: .long, help: "Print the report as JSON.") var json = false
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let log = try dbOptions.open()
        let shown = progress.reporter("verify")
        let report = try log.verify(progress: shown.update)
        shown.finish()
        if try log.datasetID() != nil, try log.membership().activeAdmins.isEmpty {
            printErr(
                "warning: this dataset has no admin (every admin key is revoked or no longer an admin); `accord members` shows who is left")
        }
        if json {
            print(jsonString(report))
        } else {
            for p in report.problems {
                print("BAD \(p.position.map { "#\($0)" } ?? "") \(p.id ?? ""): \(p.message)")
            }
            print(
                "\(report.events) events, \(report.authors) authors, \(report.bodies) bodies, \(report.redactedBodies) redacted, "
                    + "\(report.pendingBodies) bodies pending: "
                    + (report.isClean ? "ok" : "\(report.problems.count) problems"))
        }
        if !report.isClean { throw ExitCode(1) }
    }
}

struct ForksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forks", abstract: "List equivocations: two signed events by one author with the same seq.")
    @OptionGroup var dbOptions: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let forks = try dbOptions.open().forks()
        if json {
            print(jsonString(forks))
            return
        }
        if forks.isEmpty { print("no forks") }
        for f in forks {
            print("\(f.author) seq \(f.seq): kept \(f.existingID), fork \(f.forkID) (seen \(f.detectedAt))")
        }
    }
}
