import AccordCore
import AccordStore
import ArgumentParser
import Foundation

/// Where the node's database is: `--db`, else `ACCORD_DB`, else `./accord.db`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The node's SQLite file (default: $ACCORD_DB, else ./accord.db).")
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["ACCORD_DB"] ?? "accord.db" }

    func open() throws -> EventLog { try EventLog(path: path, projectors: Node.projectors) }

    func curation() throws -> Curation { Curation(log: try open()) }
}

/// Where the signing key is: `--key`, else `ACCORD_KEY`, else the per-user config directory.
struct KeyOptions: ParsableArguments {
    @Option(name: .long, help: "The private key file (default: $ACCORD_KEY, else $XDG_CONFIG_HOME/accord/key).")
    var key: String?

    var path: String { key ?? ProcessInfo.processInfo.environment["ACCORD_KEY"] ?? KeyStore.defaultPath }

    func load() throws -> SigningKey { try KeyStore.load(path: path) }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

enum Node {
    /// The read models every node maintains.
    static var projectors: [any Projector] { [CurationProjector()] }

    /// The seed records: `--seed-file`, else $ACCORD_SEED, else Events/seed/resolutions.json
    /// found from the working directory or beside the executable (in a source checkout).
    static func seedFile(_ explicit: String?) throws -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["ACCORD_SEED"] { return env }
        let rel = "Events/seed/resolutions.json"
        var candidates = [FileManager.default.currentDirectoryPath + "/" + rel, "/usr/share/accord/seed/resolutions.json"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent(rel).path)
            dir = dir.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw CLIError("seed records not found (looked for \(rel)); pass --seed-file PATH or set ACCORD_SEED")
        }
        return found
    }
}

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

func writeStdout(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

func jsonString<T: Encodable>(_ value: T) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try! enc.encode(value), as: UTF8.self)
}
