import AccordCore
import Foundation

/// A deterministic generator of realistic curation data for `accord bench`
/// (Docs/performance.md, "The curation workload", describes it for re-implementation).
/// The same seed gives the same records and the same signed log on every machine.
struct CurationLogGenerator {
    /// SplitMix64.
    typealias Rng = SplitMix64

    static let words = """
        international criminal police organization cooperation member states united nations general assembly security council \
        resolution terrorism foreign terrorist fighters border management information sharing databases notices biometric \
        data travel documents firearms trafficking human beings migrant smuggling cybercrime corruption money laundering \
        financing organized crime maritime piracy cultural property wildlife environmental crime drugs law enforcement \
        capacity building training secretariat report implementation strategy framework observer status regional \
        organizations victims protection sanctions committee monitoring team expertise analysis global policing \
        capabilities response emergency fugitives extradition mutual legal assistance counter prevention
        """.split(separator: " ").map(String.init).filter { !$0.isEmpty }

    static let topics = [
        "terrorism", "foreign terrorist fighters", "cybercrime", "corruption", "money laundering", "drugs", "firearms",
        "human trafficking", "migrant smuggling", "border security", "biometrics", "travel documents", "maritime piracy",
        "cultural property", "wildlife crime", "environmental crime", "organized crime", "sanctions", "capacity building",
        "information sharing", "victims", "extradition", "financing of terrorism", "observer status", "regional cooperation",
        "counter-terrorism committee", "monitoring team", "global policing", "fugitives", "training",
    ]

    var rng: Rng
    let admin: SigningKey
    let editors: [SigningKey]

    init(seed: UInt64 = 2026, admin: SigningKey, editors: [SigningKey]) {
        rng = Rng(state: seed)
        self.admin = admin
        self.editors = editors
    }

    mutating func sentence(atLeast chars: Int) -> String {
        var s = ""
        while s.count < chars { s += (s.isEmpty ? "" : " ") + rng.pick(Self.words) }
        return s.prefix(1).uppercased() + s.dropFirst() + "."
    }

    /// Record `i`: two in three are General Assembly resolutions, one in three Security Council.
    static func symbol(_ i: Int) -> ResolutionSymbol {
        let year = 1990 + i % 35
        return i % 3 == 2
            ? ResolutionSymbol(sc: 3000 + i, year: year)
            : ResolutionSymbol(ga: 45 + (i / 3) % 35, 1 + i / 105 * 2 + (i % 3))
    }

    /// A record like a real resolution: symbol, title, adopted, a ~300-character summary,
    /// 2-5 topics, 1-3 links to earlier records, 1-2 sources, a ~2 KB text on one in ten.
    mutating func record(_ i: Int) -> ResolutionRecord {
        let symbol = Self.symbol(i)
        var r = ResolutionRecord(symbol: symbol)
        let year = 1990 + i % 35
        r.fields[.title] = .string(sentence(atLeast: 60))
        r.fields[.adopted] = .string(String(format: "%04d-%02d-%02d", year, 1 + rng.int(12), 1 + rng.int(28)))
        r.fields[.summary] = .string(sentence(atLeast: 300))
        if rng.chance(0.5) { r.fields[.interpolRole] = .string(sentence(atLeast: 120)) }
        if i % 10 == 0 { r.fields[.text] = .string((0..<7).map { _ in sentence(atLeast: 280) }.joined(separator: " ")) }
        var topics: Set<String> = []
        let nTopics = rng.int(2...5)
        while topics.count < nTopics { topics.insert(rng.pick(Self.topics)) }
        r.topics = topics.sorted()
        if i > 0 {
            var links: Set<Link> = []
            for _ in 0..<rng.int(1...3) {
                let target = Self.symbol(max(0, i - 1 - rng.int(min(i, 50))))
                links.insert(Link(rel: rng.chance(0.2) ? .reviews : .cites, target: target))
            }
            r.links = links.sorted()
        }
        var sources = [
            try! Source(url: "https://undocs.org/\(symbol.description.replacingOccurrences(of: " ", with: ""))", label: "UN document")
        ]
        if rng.chance(0.5) {
            sources.append(try! Source(url: "https://digitallibrary.un.org/record/\(100_000 + i)", label: "Digital library"))
        }
        r.sources = sources.sorted()
        return r
    }

    // MARK: A signed log

    /// Per record, what an editor sees when choosing what to write.
    struct RecordView {
        var heads: [RecordField: [String]] = [:]
        var topicAdds: [String: [String]] = [:]
        var withdrawn = false
    }

    struct Chain {
        var seq = 0
        var prev: String?
    }

    /// A log of about `events` events: the genesis and grants (admin), `records` record
    /// creations of four events each (record, topics, links, sources) by the three
    /// authors, then edits of records picked Zipf-like (s = 1): field sets (with 3 % concurrent
    /// pairs on one field, which leave a conflict), topic adds and removals, links, sources,
    /// withdrawals and restorations. Events come out in a valid order (each chain in order).
    mutating func log(events: Int, records: Int) -> [SignedEvent] {
        var out: [SignedEvent] = []
        out.reserveCapacity(events + 8)
        var chains: [String: Chain] = [:]
        var millis: Int64 = 1_764_000_000_000
        var dataset: String?
        func sign(_ d: EventDraft, _ key: SigningKey) -> SignedEvent {
            var c = chains[key.author.text] ?? Chain()
            c.seq += 1
            millis += 7
            let e = UnsignedEvent(draft: d, dataset: dataset, author: key.author, seq: c.seq, prev: c.prev, time: HLCTime(millis: millis))
                .signed(by: key)
            c.prev = e.id
            chains[key.author.text] = c
            out.append(e)
            return e
        }
        dataset = sign(.genesis(name: "bench curation"), admin).id
        for (k, e) in editors.enumerated() {
            _ = sign(AuthorizationEvent.granted(key: e.author, role: .editor, name: "editor \(k + 1)").draft, admin)
        }
        let authors = [admin] + editors
        var views: [RecordView] = []
        var symbols: [ResolutionSymbol] = []
        for i in 0..<records where out.count < events {
            let r = record(i)
            let key = authors[i % authors.count]
            var view = RecordView()
            let created = sign(DomainEvent.recordCreated(r.symbol, fields: r.fields).draft, key)
            for f in r.fields.keys { view.heads[f] = [created.id] }
            let tags = sign(DomainEvent.topicsAdded(r.symbol, r.topics).draft, key)
            for t in r.topics { view.topicAdds[t] = [tags.id] }
            if !r.links.isEmpty { _ = sign(DomainEvent.linksAdded(r.symbol, r.links).draft, key) }
            _ = sign(DomainEvent.sourcesAdded(r.symbol, r.sources).draft, key)
            views.append(view)
            symbols.append(r.symbol)
        }
        guard !views.isEmpty else { return out }
        // Zipf-like popularity over a shuffled order of the records.
        var order = Array(views.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.int(i + 1)) }
        var cdf: [Double] = []
        var total = 0.0
        for rank in 1...order.count {
            total += 1 / Double(rank)
            cdf.append(total)
        }
        func pickRecord() -> Int {
            let x = Double(rng.next() >> 11) / Double(1 << 53) * total
            var lo = 0
            var hi = cdf.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cdf[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            return order[lo]
        }
        let editable: [(RecordField, Int)] = [(.summary, 40), (.title, 20), (.notes, 25), (.interpolRole, 15)]
        while out.count < events {
            let i = pickRecord()
            let s = symbols[i]
            let key = rng.pick(authors)
            let roll = rng.int(100)
            switch roll {
            case 0..<60:
                var w = rng.int(100)
                var field = RecordField.summary
                for (f, weight) in editable {
                    if w < weight {
                        field = f
                        break
                    }
                    w -= weight
                }
                let base = views[i].heads[field] ?? []
                let value = JSONValue.string(sentence(atLeast: field == .title ? 60 : field == .summary ? 300 : 120))
                let e = sign(DomainEvent.fieldSet(s, field: field, value: value, base: base).draft, key)
                views[i].heads[field] = [e.id]
                if rng.chance(0.03) {
                    // Another author, not having seen that edit, writes the same field from the same base.
                    let other = authors[(authors.firstIndex { $0.author == key.author }! + 1) % authors.count]
                    let c = sign(DomainEvent.fieldSet(s, field: field, value: .string(sentence(atLeast: 80)), base: base).draft, other)
                    views[i].heads[field] = [e.id, c.id]
                }
            case 60..<75:
                let t = rng.pick(Self.topics)
                let e = sign(DomainEvent.topicsAdded(s, [t]).draft, key)
                views[i].topicAdds[t, default: []].append(e.id)
            case 75..<85:
                let held = views[i].topicAdds.keys.sorted()
                guard !held.isEmpty else { continue }
                let t = held[rng.int(held.count)]
                _ = sign(DomainEvent.topicsRemoved(s, [t], seen: views[i].topicAdds[t]!).draft, key)
                views[i].topicAdds[t] = nil
            case 85..<92:
                let target = symbols[rng.int(symbols.count)]
                guard target != s else { continue }
                _ = sign(DomainEvent.linksAdded(s, [Link(rel: .cites, target: target)]).draft, key)
            case 92..<96:
                let src = try! Source(url: "https://www.interpol.int/en/News-and-Events/\(rng.int(1_000_000))", label: "INTERPOL news")
                _ = sign(DomainEvent.sourcesAdded(s, [src]).draft, key)
            default:
                if views[i].withdrawn {
                    _ = sign(DomainEvent.restored(s).draft, key)
                } else {
                    _ = sign(DomainEvent.withdrawn(s, reason: "duplicate of another record").draft, key)
                }
                views[i].withdrawn.toggle()
            }
        }
        return out
    }
}
