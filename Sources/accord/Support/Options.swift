import AccordCore
import AccordStore
import ArgumentParser
import Foundation

/// Where the node's database is: `--db`, else `ACCORD_DB`, else `./accord.db`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The node's SQLite file (default: $ACCORD_DB, else ./accord.db).")
    var db: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The largest the database may grow, e.g. 500MB or 2GiB; a write beyond it is refused (HTTP 507) and changes nothing.",
            valueName: "size"))
    var maxDbSize: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["ACCORD_DB"] ?? "accord.db" }

    /// Every command opens the log durable: an acknowledged edit (exit 0, a 2xx answer)
    /// is on disk, and survives a power loss as well as a crash (Docs/operations.md).
    private func openLog() throws -> EventLog {
        var maxBytes: Int64?
        if let maxDbSize {
            guard let n = ByteSize.parse(maxDbSize) else {
                throw CLIError("--max-db-size \(maxDbSize) is not a size: write e.g. 500MB, 2GiB or a number of bytes")
            }
            maxBytes = n
        }
        return try EventLog(path: path, projectors: NodeSetup.projectors, durable: true, maxBytes: maxBytes)
    }

    /// Opens an existing node. Only `init`, `clone` and `serve` create a database: a
    /// mistyped path must not answer "ok" from a new, empty file.
    func open() throws -> EventLog {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError(
                "no Accord database at \(path): check --db (or ACCORD_DB); to make a node, run `accord init --db \(path)` or `accord clone URL --db \(path)`"
            )
        }
        if isDirectory.boolValue { throw CLIError("\(path) is a directory, not an Accord database: check --db (or ACCORD_DB)") }
        // Only a database this program made is opened for writing: an empty file or another
        // SQLite file must not silently become an empty node.
        guard EventLog.isAccordDatabase(path: path) else {
            throw CLIError(
                "\(path) is not an Accord database (empty, not SQLite, or another program's): check --db (or ACCORD_DB); nothing was changed"
            )
        }
        return try openLog()
    }

    /// Opens the node, creating the database when it does not exist.
    func openOrCreate() throws -> EventLog { try openLog() }

    func curation() throws -> Curation { Curation(log: try open()) }

    /// The node's own device key file: `accord clone` writes it beside the database.
    var deviceKeyPath: String { path + ".key" }
}

/// Where the signing key is: `--key`, else `ACCORD_KEY`, else the per-user config directory.
struct KeyOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The private key file (default: the node's device key DB.key beside the database when it exists, else $ACCORD_KEY, else $XDG_CONFIG_HOME/accord/key)."
    )
    var key: String?

    var path: String { key ?? ProcessInfo.processInfo.environment["ACCORD_KEY"] ?? KeyStore.defaultPath }

    func load() throws -> SigningKey { try KeyStore.load(path: path) }

    /// The key that signs on the node at `db`: `--key`, else the node's device key beside
    /// its database (written by `accord clone`), else `ACCORD_KEY`, else the per-user key.
    func path(for db: DatabaseOptions) -> String {
        if let key { return key }
        if FileManager.default.fileExists(atPath: db.deviceKeyPath) { return db.deviceKeyPath }
        return path
    }

    func load(for db: DatabaseOptions) throws -> SigningKey { try KeyStore.load(path: path(for: db)) }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    /// The library's error this one says in the command's words (its type decides the exit status).
    let underlying: (any Error)?
    init(_ d: String, underlying: (any Error)? = nil) {
        description = d
        self.underlying = underlying
    }
}

enum NodeSetup {
    /// The read models every node maintains.
    static var projectors: [any Projector] { EventLog.standardProjectors }

    /// The seed records and where they came from: `--seed-file`, else $ACCORD_SEED, else
    /// the records compiled into this binary (Events/seed/resolutions.json), so seeding
    /// works from any folder and from an installed binary.
    static func seedRecords(_ explicit: String?) throws -> (records: [UInt8], source: String) {
        guard let file = explicit ?? ProcessInfo.processInfo.environment["ACCORD_SEED"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return (PackageResources.resolutions_json, "the records built into accord")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError(
                "cannot read the seed file \(file): check the path, or leave out --seed-file (and ACCORD_SEED) for the built-in records")
        }
        return ([UInt8](data), file)
    }
}

func jsonString<T: Encodable>(_ value: T) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try! enc.encode(value), as: UTF8.self)
}
