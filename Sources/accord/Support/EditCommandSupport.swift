import AccordCore
import AccordStore
import ArgumentParser
import Foundation

/// Options shared by the commands that sign an edit.
struct EditOptions: ParsableArguments {
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions

    /// What an edit of an existing record needs: the dataset, the record `symbol` names
    /// (or `RecordNotFound`), and the key that signs.
    func open(record symbol: String) throws -> (Curation, ResolutionSymbol, SigningKey) {
        let curation = try db.curation()
        let record = try curation.existing(symbol)
        return (curation, record, try key.load(for: db))
    }
}

/// Runs domain parsing and turns its error into a CLI error.
func domain<T>(_ f: () throws -> T) throws -> T {
    do {
        return try f()
    } catch let e as DomainError {
        throw CLIError(e.message)
    }
}

/// `SYMBOL FIELD VALUE` of `set` and `resolve`; an empty VALUE clears the field.
struct FieldEditArguments: ParsableArguments {
    @Argument var symbol: String
    @Argument var field: String
    @Argument var value: String

    func parsed(_ curation: Curation) throws -> (ResolutionSymbol, RecordField, JSONValue) {
        let s = try curation.existing(symbol)
        let f = try domain { try RecordField(parsing: field) }
        let v = value.isEmpty ? JSONValue.null : try domain { try f.parse(text: value) }
        return (s, f, v)
    }
}

/// `--reviews X`, `--recalls X` ... as links.
struct LinkOptions: ParsableArguments {
    @Option(name: .long, help: "This resolution reviews TARGET.") var reviews: [String] = []
    @Option(name: .long) var recalls: [String] = []
    @Option(name: .long) var supersedes: [String] = []
    @Option(name: .long) var amends: [String] = []
    @Option(name: .long) var cites: [String] = []

    func links() throws -> [Link] {
        var out: [Link] = []
        for (rel, targets) in [
            (LinkRelation.reviews, reviews), (.recalls, recalls), (.supersedes, supersedes), (.amends, amends), (.cites, cites),
        ] {
            for t in targets { out.append(Link(rel: rel, target: try domain { try ResolutionSymbol.linkTarget(t) })) }
        }
        guard !out.isEmpty else { throw CLIError("name at least one link: --reviews, --recalls, --supersedes, --amends or --cites TARGET") }
        return out
    }
}
