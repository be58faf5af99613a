import AccordCore
import AccordStore
import AccordSync
import ArgumentParser
import Foundation

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
            guard cutoff != nil else { throw RecordNotFound(symbol: s) }
            throw CLIError("\(s) did not exist at that point", underlying: RecordNotFound(symbol: s))
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
                for h in st.heads { out += "      \(h.value.display)  by \(names[h.author]?.oneLine ?? short(h.author)) at \(h.time)\n" }
            }
        }
        if !state.topics.isEmpty { out += "  topics        \(state.topics.map(\.oneLine).joined(separator: ", "))\n" }
        for l in state.links {
            let resolved = try curation.resolveTarget(l.target)
            out +=
                "  \(l.rel.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \((resolved ?? l.target.description).oneLine)\(resolved == nil ? " (not in the dataset yet)" : "")\n"
        }
        if cutoff == nil {
            for (rel, from) in try curation.incomingLinks(s) {
                out += "  \(("\(rel) by").padding(toLength: 13, withPad: " ", startingAt: 0)) \(from.description.oneLine)\n"
            }
        }
        for src in state.sources { out += "  source        \(src.url.oneLine)\(src.label.isEmpty ? "" : "  (\(src.label.oneLine))")\n" }
        print(out, terminator: "")
    }
}
