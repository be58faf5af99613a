import AccordCore
import AccordStore
import ArgumentParser
import Foundation

extension JSONValue {
    /// A value as people read it.
    var display: String { Curation.HistoryEntry.display(self) }
}

func short(_ author: String) -> String { String(author.prefix(20)) + "…" }

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a record, now or as it was (--as-of TIME, --at EVENT-ID).")
    @OptionGroup var db: DatabaseOptions
    @Argument var symbol: String
    @Option(name: .long, help: "A UTC time (2026-11-26T14:00:00Z) or date (2026-11-26, meaning its start).") var asOf: String?
    @Option(name: .long, help: "The state right after this event.") var at: String?
    @Flag(name: .long) var json = false

    func run() throws {
        let curation = try db.curation()
        let s = try curation.resolveSymbol(symbol)
        let cutoff = try curation.cutoff(asOf: asOf, at: at)
        guard let state = try curation.state(s, cutoff: cutoff) else {
            throw CLIError(cutoff == nil ? "\(s) is not in the dataset" : "\(s) did not exist at that point")
        }
        if json {
            print(try curation.recordJSON(state).prettyString())
            return
        }
        let names = try curation.log.membership().members.mapValues(\.name)
        var out = "\(state.symbol)  (\(state.symbol.body == .ga ? "General Assembly" : "Security Council"))"
        if state.withdrawn { out += "  WITHDRAWN" }
        if let asOf { out += "  as of \(asOf)" }
        if let at { out += "  at \(at.prefix(16))" }
        out += "\n"
        for f in RecordField.allCases {
            guard let st = state.fields[f], !st.value.isNull || st.inConflict else { continue }
            var v = st.value.display
            if f == .text && v.count > 300 { v = String(v.prefix(300)) + "… (\(v.count) characters)" }
            out += "  \(f.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(v)\n"
            if st.inConflict {
                out += "    CONFLICT: \(st.heads.count) concurrent values (provisional shown):\n"
                for h in st.heads { out += "      \(h.value.display)  by \(names[h.author] ?? short(h.author)) at \(h.time)\n" }
            }
        }
        if !state.topics.isEmpty { out += "  topics        \(state.topics.joined(separator: ", "))\n" }
        for l in state.links {
            let resolved = try curation.resolveTarget(l.target)
            out +=
                "  \(l.rel.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(resolved ?? l.target.description)\(resolved == nil ? " (not in the dataset yet)" : "")\n"
        }
        if cutoff == nil {
            for (rel, from) in try curation.incomingLinks(s) {
                out += "  \(("\(rel) by").padding(toLength: 13, withPad: " ", startingAt: 0)) \(from)\n"
            }
        }
        for src in state.sources { out += "  source        \(src.url)\(src.label.isEmpty ? "" : "  (\(src.label))")\n" }
        print(out, terminator: "")
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List records, optionally filtered and sorted; every match unless --limit.")
    @OptionGroup var db: DatabaseOptions
    @Option(name: .long, help: "GA or SC.") var body: String?
    @Option(name: .long) var year: Int?
    @Option(name: .long) var topic: String?
    @Option(name: .long, help: "all, current or withdrawn.") var status: String = "all"
    @Option(name: .long, help: "symbol, year (newest first) or title.") var sort: String = "symbol"
    @Option(name: .long, help: "At most this many (1 to 500).") var limit: Int?
    @Option(name: .long, help: "Skip this many first.") var offset: Int = 0
    @Flag(name: .long) var json = false

    func run() throws {
        var parameters = ["body": body ?? "", "topic": topic ?? "", "status": status, "sort": sort, "offset": String(offset)]
        parameters["year"] = year.map(String.init)
        parameters["limit"] = String(limit ?? Curation.maxPageSize)
        let query: Curation.ListQuery
        do { query = try Curation.ListQuery(parameters: parameters) } catch let e as StoreError { throw CLIError("--" + e.reason) }
        let curation = try db.curation()
        // Without --limit: every page.
        var rows: [Curation.Summary] = []
        var q = query
        var total = 0
        repeat {
            let page = try curation.list(q)
            rows += page.items
            total = page.total
            q.offset += page.items.count
            if page.items.isEmpty { break }
        } while limit == nil && q.offset < total
        if json {
            print(jsonString(rows))
            return
        }
        for r in rows {
            print(
                "\(r.symbol.padding(toLength: 18, withPad: " ", startingAt: 0)) \(r.year.map(String.init) ?? "    ")  \(r.title ?? "—")\(r.withdrawn ? "  [withdrawn]" : "")"
            )
        }
        if limit != nil, offset + rows.count < total {
            printErr("\(offset + 1)–\(offset + rows.count) of \(total); --offset \(offset + rows.count) for more")
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search (title, summary, INTERPOL role, notes, text), best first; words match their beginnings.")
    @OptionGroup var db: DatabaseOptions
    @Argument(parsing: .remaining) var words: [String]
    @Option(name: .long, help: "At most this many (1 to 500).") var limit: Int = 20
    @Option(name: .long, help: "Skip this many first.") var offset: Int = 0
    @Flag(name: .long) var json = false

    func run() throws {
        let page = try db.curation().search(words.joined(separator: " "), limit: limit, offset: offset)
        if json {
            print(jsonString(page))
            return
        }
        if page.items.isEmpty { print("no match") }
        for h in page.items { print("\(h.symbol)  \(h.title ?? "")\n    \(h.snippet)") }
        printErr(
            "\(page.items.isEmpty ? "0" : "\(offset + 1)–\(offset + page.items.count)") of \(page.total) matches"
                + (offset + page.items.count < page.total ? "; --offset \(offset + page.items.count) for more" : ""))
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every change to a record: who, when, old -> new, with each signature re-checked.")
    @OptionGroup var db: DatabaseOptions
    @Argument var symbol: String
    @Option(name: .long) var field: String?
    @Flag(name: .long) var json = false

    func run() throws {
        let curation = try db.curation()
        let s = try curation.existing(symbol)
        let f = try field.map { f in try domain { try RecordField(parsing: f) } }
        let entries = try curation.history(s, field: f)
        if json {
            print(jsonString(entries))
            return
        }
        let names = try curation.log.membership().members.mapValues(\.name)
        func who(_ key: String) -> String { names[key] ?? short(key) }
        var lines = entries.map { e in
            let validity = e.invalid.map { "  INVALID (\($0))" } ?? ""
            return (e.time, "\(e.time)  \(who(e.author))  \(e.summary)  [signature \(e.signature), \(e.id.prefix(12))]\(validity)")
        }
        // Redacted events have no change left to show: their redaction (who, when, why) does.
        let shown = Set(entries.map(\.id))
        if f == nil {
            for (target, r) in try curation.log.redactedEvents(subject: s.description) where !shown.contains(target.id) {
                lines.append(
                    (
                        target.time,
                        "\(target.time)  \(who(target.author))  \(target.type): body redacted by \(who(r.author)) at \(r.time): \(r.reason)  [\(target.id.prefix(12))]"
                    ))
            }
        }
        for (_, line) in lines.sorted(by: { $0.0 < $1.0 }) { print(line) }
    }
}

struct ChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain", abstract: "The review chain a record belongs to, oldest first.")
    @OptionGroup var db: DatabaseOptions
    @Argument var symbol: String

    func run() throws {
        let curation = try db.curation()
        let view = try curation.chainView(try curation.existing(symbol))
        for s in view.records { print(view.withdrawn.contains(s.key) ? "\(s)  [withdrawn]" : s.description) }
        if view.loops {
            printErr(
                "warning: the reviews links of this chain loop (concurrent edits on two nodes each added one half); remove one with `accord unlink`"
            )
        }
    }
}

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Fields edited concurrently: both values, both signers, the provisional winner.")
    @OptionGroup var db: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let conflicts = try db.curation().conflicts()
        if json {
            print(jsonString(conflicts))
            return
        }
        if conflicts.isEmpty { print("no conflicts") }
        let names = try db.open().membership().members.mapValues(\.name)
        for c in conflicts {
            print("\(c.symbol) \(c.field): \(c.heads.count) values, showing \(c.provisional.value.display)")
            for h in c.heads { print("    \(h.value.display)  by \(names[h.author] ?? h.author) at \(h.time)  [\(h.id.prefix(12))]") }
        }
    }
}

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "A hash of the whole projected dataset: equal on nodes that show the same data.")
    @OptionGroup var db: DatabaseOptions

    func run() throws { print(try db.curation().digest()) }
}

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rebuild", abstract: "Drop and replay every read model from the log.")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let curation = try db.curation()
        let shown = progress.reporter("rebuild")
        try curation.log.rebuild(progress: shown.update)
        shown.finish()
        print("rebuilt from \(try curation.log.eventCount()) events; digest \(try curation.digest())")
    }
}
