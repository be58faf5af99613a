public import AccordCore
import GRDB

// The store's refusals, one type per kind, so that each edge (the HTTP problem mapping,
// the CLI's exit statuses) translates them once, by type, never by their text.

/// Input the store cannot take: a malformed symbol, parameter, edit or id. Nothing changed.
public struct InvalidInput: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A record the dataset does not hold.
public struct RecordNotFound: Error, CustomStringConvertible, Sendable {
    public let symbol: ResolutionSymbol
    public init(symbol: ResolutionSymbol) { self.symbol = symbol }
    public var description: String { "\(symbol) is not in the dataset (`accord list` shows what is)" }
}

/// No event with that id (or prefix) is in this log.
public struct EventNotFound: Error, CustomStringConvertible, Sendable {
    public let id: String
    public var description: String { "no event \(id) in this log (it may not have reached this node yet: sync, then retry)" }
}

/// An edit against a state that is not the one it was made for: the field is in conflict,
/// or changed since the editor saw it.
public struct EditConflict: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The key may not sign this: it is no member, was revoked, or was seen signing two
/// different events with one seq (one key on two nodes).
public struct NotAuthorized: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The log refused an event this node signed, or would store it without effect (a
/// membership change with no effect, a rule of the domain).
public struct EditRefused: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The node holds no dataset yet: `accord init` makes one, a first sync or import joins one.
public struct NoDataset: Error, CustomStringConvertible, Sendable {
    public init() {}
    public var description: String { "this node has no dataset: run `accord init`, or sync or import a log first" }
}

/// The database was written by a newer schema than this build knows; it was not changed.
public struct IncompatibleDatabase: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The database could not grow: the disk, or the size limit the node was given
/// (`--max-db-size`), is full. The transaction that met it was rolled back; nothing
/// acknowledged before it is lost, and reads go on.
public struct StorageFullError: Error, CustomStringConvertible, Sendable {
    public let description: String

    /// The error as a full-storage error, when SQLite said the disk or database is full.
    public init?(_ error: any Error) {
        if let e = error as? StorageFullError {
            self = e
            return
        }
        guard let d = error as? DatabaseError, d.resultCode == .SQLITE_FULL
        else { return nil }
        description =
            "the database cannot grow: the disk or the node's size limit (--max-db-size) is full; nothing of this write was stored and everything acknowledged before is kept. Free space (or raise --max-db-size) and try again"
    }
}
