/// A point in the log's clock order: facts at or before (time, id) count.
public struct Cutoff: Sendable, Hashable {
    public let time: String
    public let id: String

    /// Everything at or before `time` (any id), or at or before event `id` at that time.
    public init(time: HLCTime, id: String? = nil) {
        self.time = time.description
        self.id = id.flatMap { Hex.isSHA256($0) ? $0 : nil } ?? String(repeating: "f", count: 64)
    }

    /// Whether a fact stamped (time, id) is at or before this point. Times compare as
    /// text: every HLC text has the same width, and the counter never wraps.
    public func admits(time t: String, id e: String) -> Bool {
        t < time || (t == time && e <= id)
    }
}

/// The kinds of add-wins sets a record holds.
public enum ItemKind: String, Sendable, CaseIterable {
    case topic, link, source
}

/// Everything the fold of one record needs: the record's valid facts, each as stored by
/// the projector. Facts of events that do not count (revoked signers) are left out by
/// whoever collects them; the order of the arrays does not matter.
public struct RecordFacts: Sendable, Equatable {
    public struct Creation: Sendable, Equatable {
        public let id: String, symbol: String, time: String
        public init(id: String, symbol: String, time: String) {
            self.id = id
            self.symbol = symbol
            self.time = time
        }
    }

    /// A field revision; `value` is its canonical JSON text, parsed only when it is a head.
    public struct FieldRevision: Sendable, Equatable {
        public let id: String, field: RecordField, value: String, author: String, time: String
        public init(id: String, field: RecordField, value: String, author: String, time: String) {
            self.id = id
            self.field = field
            self.value = value
            self.author = author
            self.time = time
        }
    }

    /// Revision `replacer` named `base` as the value it replaced, for `field`.
    public struct Base: Sendable, Equatable {
        public let base: String, field: RecordField, replacer: String
        public init(base: String, field: RecordField, replacer: String) {
            self.base = base
            self.field = field
            self.replacer = replacer
        }
    }

    public struct Add: Sendable, Equatable {
        public let id: String, kind: ItemKind, item: String, value: String, time: String
        public init(id: String, kind: ItemKind, item: String, value: String, time: String) {
            self.id = id
            self.kind = kind
            self.item = item
            self.value = value
            self.time = time
        }
    }

    /// Removal event `id` removed `item`, having seen the add `seen`.
    public struct Remove: Sendable, Equatable {
        public let id: String, kind: ItemKind, item: String, seen: String, time: String
        public init(id: String, kind: ItemKind, item: String, seen: String, time: String) {
            self.id = id
            self.kind = kind
            self.item = item
            self.seen = seen
            self.time = time
        }
    }

    public struct Status: Sendable, Equatable {
        public let id: String, withdrawn: Bool, time: String
        public init(id: String, withdrawn: Bool, time: String) {
            self.id = id
            self.withdrawn = withdrawn
            self.time = time
        }
    }

    public var creations: [Creation] = []
    public var revisions: [FieldRevision] = []
    public var bases: [Base] = []
    public var adds: [Add] = []
    public var removes: [Remove] = []
    public var statuses: [Status] = []

    public init() {}
}

/// The fold of one record: its state from its facts, now (`cutoff` nil) or as of a point.
/// Pure and independent of the order of the facts, so every node that holds the same
/// facts shows the same record, whatever order and batches they arrived in.
public enum RecordFold {
    /// The record's state; nil when it has no creation (at or before the cut-off).
    public static func state(_ facts: RecordFacts, cutoff: Cutoff? = nil) -> RecordState? {
        func counts(_ time: String, _ id: String) -> Bool { cutoff?.admits(time: time, id: id) ?? true }
        // The symbol of the earliest creation.
        guard
            let first = facts.creations.filter({ counts($0.time, $0.id) }).min(by: { ($0.time, $0.id) < ($1.time, $1.id) }),
            let symbol = try? ResolutionSymbol(parsing: first.symbol)
        else { return nil }

        // Fields: a revision is a head unless a counted revision of the same field replaced it.
        let revisions = facts.revisions.filter { counts($0.time, $0.id) }
        var fieldOf: [String: Set<RecordField>] = [:]
        for r in revisions { fieldOf[r.id, default: []].insert(r.field) }
        var replaced: Set<String> = []
        for b in facts.bases where fieldOf[b.replacer]?.contains(b.field) == true {
            replaced.insert(b.base + "\u{0}" + b.field.rawValue)
        }
        var heads: [RecordField: [Revision]] = [:]
        for r in revisions where !replaced.contains(r.id + "\u{0}" + r.field.rawValue) {
            guard let value = try? JSONParser.parse(r.value) else { continue }
            heads[r.field, default: []].append(Revision(id: r.id, value: value, author: r.author, time: r.time))
        }
        var fields: [RecordField: FieldState] = [:]
        for (f, h) in heads { fields[f] = FieldState(heads: h) }

        // Add-wins sets: adds no counted removal has seen; the latest add gives an item's value.
        // Items are told apart byte for byte, as SQLite and the digest do (Swift's `String ==`
        // calls an NFC "é" and an NFD "e\u{301}" equal, and which spelling stayed would then
        // depend on the order of the facts).
        func itemKey(_ id: String, _ kind: ItemKind, _ item: String) -> [UInt8] {
            Array(id.utf8) + [0] + Array(kind.rawValue.utf8) + [0] + Array(item.utf8)
        }
        var seen: Set<[UInt8]> = []
        for r in facts.removes where counts(r.time, r.id) { seen.insert(itemKey(r.seen, r.kind, r.item)) }
        var items: [ItemKind: [[UInt8]: RecordFacts.Add]] = [:]
        for a in facts.adds where counts(a.time, a.id) && !seen.contains(itemKey(a.id, a.kind, a.item)) {
            let item = Array(a.item.utf8)
            if let held = items[a.kind]?[item], (held.time, held.id) > (a.time, a.id) { continue }
            items[a.kind, default: [:]][item] = a
        }
        func held(_ k: ItemKind) -> [RecordFacts.Add] {
            (items[k] ?? [:]).values.sorted { $0.item.utf8.lexicographicallyPrecedes($1.item.utf8) }
        }
        func values(_ k: ItemKind) -> [JSONValue] { held(k).compactMap { try? JSONParser.parse($0.value) } }

        // Status: the latest status event decides.
        let status = facts.statuses.filter { counts($0.time, $0.id) }.max { ($0.time, $0.id) < ($1.time, $1.id) }

        return RecordState(
            symbol: symbol, withdrawn: status?.withdrawn ?? false, fields: fields,
            topics: held(.topic).map(\.item),
            links: values(.link).compactMap { try? Link(json: $0) },
            sources: values(.source).compactMap { try? Source(json: $0) })
    }
}
