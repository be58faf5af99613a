public import AccordCore

/// What an ingest did, line by line: the one tally every way in keeps (an import from
/// memory or a file, a push, a pull page). Counts always; the rejections and the events
/// stored without effect listed with their 1-based line numbers, up to `maxListed` each.
public struct IngestTally: Sendable, Codable, Equatable {
    public var summary = IngestSummary()
    public var rejectedByCode: [String: Int] = [:]
    public var rejections: [IngestRejection] = []
    /// Events stored as evidence without effect (code "invalid"), with why.
    public var invalid: [IngestRejection] = []
    /// The most rejections (and invalid events) listed; the counts go on.
    public let maxListed: Int

    public init(maxListed: Int = .max) { self.maxListed = maxListed }

    enum CodingKeys: String, CodingKey { case summary, rejectedByCode, rejections, invalid }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        summary = try c.decode(IngestSummary.self, forKey: .summary)
        rejectedByCode = try c.decodeIfPresent([String: Int].self, forKey: .rejectedByCode) ?? [:]
        rejections = try c.decodeIfPresent([IngestRejection].self, forKey: .rejections) ?? []
        invalid = try c.decodeIfPresent([IngestRejection].self, forKey: .invalid) ?? []
        maxListed = .max
    }

    /// The outcome of the line numbered `line`.
    public mutating func add(_ o: IngestOutcome, line: Int) {
        summary.add(o)
        switch o {
        case .rejected(let r): list(line: line, r)
        case .invalid(_, let why) where invalid.count < maxListed:
            invalid.append(IngestRejection(line: line, code: "invalid", reason: why))
        default: break
        }
    }

    /// A line refused before it reached the pipeline (longer than an event may be).
    public mutating func refuse(line: Int, _ r: EventRejection) {
        summary.rejected += 1
        list(line: line, r)
    }

    private mutating func list(line: Int, _ r: EventRejection) {
        rejectedByCode[r.code.rawValue, default: 0] += 1
        if rejections.count < maxListed { rejections.append(IngestRejection(line: line, code: r.code.rawValue, reason: r.message)) }
    }

    /// The rejections for a person: causes line by line (at most `limit`), and the
    /// events refused only because an earlier event of their chain was (seq-gap,
    /// wrong-prev after a first cause) summarised in one line instead of burying it.
    public func explained(limit: Int = 20) -> [String] {
        var out: [String] = []
        var consequences = 0
        var firstCause: Int?
        var shown = 0
        for r in rejections {
            let follows =
                firstCause != nil && (r.code == EventRejection.Code.seqGap.rawValue || r.code == EventRejection.Code.wrongPrev.rawValue)
            if follows {
                consequences += 1
                continue
            }
            if firstCause == nil { firstCause = r.line }
            if shown < limit { out.append("line \(r.line): \(r.code): \(r.reason)") }
            shown += 1
        }
        if shown > limit { out.append("... and \(shown - limit) more rejected lines (--json lists them all)") }
        if consequences > 0, let firstCause {
            out.append(
                "\(consequences) later events could not be chained (seq-gap/wrong-prev): each follows an event refused above in its author's chain (first cause: line \(firstCause)); fix that line and import again"
            )
        }
        return out
    }
}

/// A refused line: its 1-based number, the refusal's code and why.
public struct IngestRejection: Sendable, Codable, Equatable {
    public let line: Int
    public let code: String
    public let reason: String

    public init(line: Int, code: String, reason: String) {
        self.line = line
        self.code = code
        self.reason = reason
    }
}
