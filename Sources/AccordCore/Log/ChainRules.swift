/// The last event a node holds for an author.
public struct ChainHead: Sendable, Hashable {
    public let seq: Int
    public let id: String

    public init(seq: Int, id: String) {
        self.seq = seq
        self.id = id
    }
}

/// What to do with a verified event that is not yet in the log.
public enum ChainDecision: Sendable, Equatable {
    /// Append it. `adoptsDataset` is true for the genesis event of an empty node.
    case append(adoptsDataset: Bool)
    /// Already stored: a no-op.
    case duplicate
    /// Same author and seq as a stored event with another id: keep as evidence, don't apply.
    case fork(existingID: String)
    case reject(EventRejection)
}

/// The rules of dataset membership and chain continuity, as a pure function.
public enum ChainRules {
    /// - Parameters:
    ///   - dataset: the node's dataset id, nil for an empty node.
    ///   - head: the author's last event on this node.
    ///   - idAtSeq: the id the node holds at the event's (author, seq), if any.
    ///   - wallMillis: this node's wall clock. An event stamped beyond it plus the clock's
    ///     maximum drift is not appended yet: a time far ahead would win every last-writer-wins
    ///     choice (a field, a withdrawal) for as long as it stays ahead, in year 9999 for good.
    ///     Refused, not stored as invalid, so that every node decides alike once its clock
    ///     reaches the time (a peer sends it again at each sync), and never, for year 9999.
    public static func decide(
        id: String, envelope: Envelope, dataset: String?, head: ChainHead?, idAtSeq: String?, wallMillis: Int64
    ) -> ChainDecision {
        var adopts = false
        if envelope.isGenesis, dataset == id { return .duplicate }
        if envelope.isGenesis {
            if let dataset, dataset != id {
                return .reject(
                    EventRejection(.wrongDataset, "genesis \(id.prefix(12))... starts another dataset; this node holds dataset \(dataset)"))
            }
            adopts = dataset == nil
        } else {
            guard let dataset else {
                return .reject(EventRejection(.noDataset, "this node has no dataset yet: the genesis event must come first"))
            }
            guard envelope.dataset == dataset else { return .reject(wrongDataset(envelope, dataset)) }
        }
        let headSeq = head?.seq ?? 0
        if envelope.seq <= headSeq {
            // The id hashes author and seq, so an event already stored sits at its own (author, seq).
            if idAtSeq == id { return .duplicate }
            if let idAtSeq { return .fork(existingID: idAtSeq) }
            return .reject(
                EventRejection(.seqGap, "seq \(envelope.seq) of \(envelope.author) is below this node's head \(headSeq) but not stored"))
        }
        if envelope.seq > headSeq + 1 {
            return .reject(EventRejection(.seqGap, "seq gap for \(envelope.author): expected seq \(headSeq + 1), got \(envelope.seq)"))
        }
        if let head, envelope.prev != head.id { return .reject(wrongPrev(envelope, head)) }
        if !HybridLogicalClock.admits(envelope.time, wallMillis: wallMillis) { return .reject(futureTime(envelope, wallMillis)) }
        return .append(adoptsDataset: adopts)
    }

    /// Whether a received line can follow what this node holds, judged from its envelope
    /// alone, before any hash or signature is computed: a line that names a member's key
    /// (keys are public) but could never be appended costs a parse, as a stranger's does.
    /// Only what `decide` would refuse whatever else the stream holds is refused here.
    /// - Parameters:
    ///   - head: the author's last event on this node when the stream began.
    ///   - linesInStream: the lines of the stream up to the end of the batch this line is in.
    ///     Events of one batch may come in any order, but seq `s` needs `head + 1 ... s - 1`
    ///     from the same stream, so `s` cannot pass `head + linesInStream`.
    public static func admission(
        envelope: Envelope, dataset: String, head: ChainHead?, linesInStream: Int, wallMillis: Int64
    ) -> EventRejection? {
        if envelope.isGenesis { return nil }
        guard envelope.dataset == dataset else { return wrongDataset(envelope, dataset) }
        let headSeq = head?.seq ?? 0
        // At or below the head: a duplicate or a fork, which only the checks can tell apart.
        if envelope.seq <= headSeq { return nil }
        if envelope.seq > headSeq + max(1, linesInStream) {
            return EventRejection(
                .seqGap,
                "seq \(envelope.seq) of \(envelope.author) cannot follow: this node holds its chain through seq \(headSeq), "
                    + "and the \(linesInStream) lines sent so far cannot fill the gap")
        }
        if envelope.seq == headSeq + 1, let head, envelope.prev != head.id { return wrongPrev(envelope, head) }
        if !HybridLogicalClock.admits(envelope.time, wallMillis: wallMillis) { return futureTime(envelope, wallMillis) }
        return nil
    }

    // One wording per refusal, whether admission or the append decides it.

    static func wrongDataset(_ envelope: Envelope, _ dataset: String) -> EventRejection {
        EventRejection(.wrongDataset, "event belongs to dataset \(envelope.dataset ?? "-"), this node holds dataset \(dataset)")
    }

    static func wrongPrev(_ envelope: Envelope, _ head: ChainHead) -> EventRejection {
        EventRejection(
            .wrongPrev,
            "prev \(envelope.prev?.prefix(12) ?? "-")... does not match the id \(head.id.prefix(12))... of seq \(head.seq) by \(envelope.author)"
        )
    }

    static func futureTime(_ envelope: Envelope, _ wallMillis: Int64) -> EventRejection {
        EventRejection(
            .futureTime,
            "time \(envelope.timeText) is more than \(HybridLogicalClock.maxDriftMillis / 60_000) minutes ahead of this node's clock "
                + "(\(HLCTime(millis: wallMillis).description)); it is taken when a sync brings it again after that time")
    }
}
