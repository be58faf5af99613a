public import AccordCore

/// What the pipeline did with one input event.
public enum IngestOutcome: Sendable, Equatable {
    case accepted(id: String)
    /// Stored (the log keeps it as evidence) but without effect: signed by a revoked key
    /// beyond its cut-off, or a membership event by a key that was not an admin for it.
    case invalid(id: String, reason: String)
    case duplicate(id: String)
    case rejected(EventRejection)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

/// Counts over a batch's outcomes.
public struct IngestSummary: Sendable, Equatable, Codable {
    public var accepted = 0
    public var invalid = 0
    public var duplicate = 0
    public var rejected = 0

    public init() {}

    public init(_ outcomes: [IngestOutcome]) {
        for o in outcomes { add(o) }
    }

    public mutating func add(_ o: IngestOutcome) {
        switch o {
        case .accepted: accepted += 1
        case .invalid: invalid += 1
        case .duplicate: duplicate += 1
        case .rejected: rejected += 1
        }
    }

    public mutating func add(_ other: IngestSummary) {
        accepted += other.accepted
        invalid += other.invalid
        duplicate += other.duplicate
        rejected += other.rejected
    }
}
