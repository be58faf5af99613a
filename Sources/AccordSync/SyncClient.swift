import AccordCore

/// The client half of a sync as a state machine, without I/O: fed what each step observed,
/// it says what to do next. `SyncSession` carries the steps out over a `SyncTransport`.
///
/// A sync is rounds of pull (page after page) then push; a round begins and ends with a
/// look at what this node is owed and where it knows keys forked, and another round runs
/// while it can still heal something (`SyncRound.another`). A peer that keeps saying "more"
/// without moving forward, or page after page of nothing this node takes, is cut off, so
/// the client's work stays bounded whatever the peer sends.
public struct SyncClient: Sendable {
    public enum Step: Sendable, Equatable {
        /// Read what this node is owed and its fork points, then call `began`.
        case beginRound
        /// Ask the peer for the page from `after`; the round's first page also asks for the
        /// bodies this node is owed and names its fork points. Then call `pulled`.
        case pull(after: Int64, first: Bool)
        /// Push what the peer lacks, against its last page end. Then call `pushed`.
        case push(SyncProtocol.PageEnd)
        /// Read what this node is owed and its fork points now, then call `ended`.
        case endRound
        /// The sync is over; `lastEnd` is the peer's last page end.
        case finish
    }

    /// The peer's name, for the refusals.
    public let peer: String
    public let push: Bool
    public let maxRounds: Int
    public let maxBarrenPages: Int
    /// The round under way (0 first).
    public private(set) var round = 0
    /// The peer's last page end.
    public private(set) var lastEnd: SyncProtocol.PageEnd?
    private var after: Int64 = 0
    private var barren = 0
    private var moved = 0
    private var owedBefore: Set<String> = []
    private var forksBefore: [String: Int] = [:]

    public init(peer: String, push: Bool, maxRounds: Int, maxBarrenPages: Int) {
        self.peer = peer
        self.push = push
        self.maxRounds = maxRounds
        self.maxBarrenPages = maxBarrenPages
    }

    /// The first step.
    public var start: Step { .beginRound }

    /// A round begins with what this node is owed (at most `maxBodiesAsked`) and its fork points.
    public mutating func began(owed: Set<String>, forks: [String: Int]) -> Step {
        (owedBefore, forksBefore, moved, after, barren) = (owed, forks, 0, 0, 0)
        return .pull(after: 0, first: true)
    }

    /// A page arrived whole: `took` events of it were new to this node (stored, valid or not).
    public mutating func pulled(_ end: SyncProtocol.PageEnd, took: Int) throws(SyncError) -> Step {
        moved += took
        lastEnd = end
        guard let next = end.next else { return push ? .push(end) : .endRound }
        barren = took > 0 ? 0 : barren + 1
        guard next > after, barren < maxBarrenPages else {
            throw SyncError(
                "\(peer) kept sending pages with nothing this node takes (next \(next) after \(after)); stopped after \(barren) such pages, sync again later"
            )
        }
        after = next
        return .pull(after: next, first: false)
    }

    /// The push is done: the peer took `sent` events (valid or not).
    public mutating func pushed(sent: Int) -> Step {
        moved += sent
        return .endRound
    }

    /// The round ended with what this node is owed and its fork points now.
    public mutating func ended(owed: Set<String>, forks: [String: Int]) -> Step {
        let last = SyncRound(
            index: round, push: push, owedBefore: owedBefore, owedAfter: owed, peerOwed: lastEnd?.bodies.count ?? 0,
            forksBefore: forksBefore, forksAfter: forks, peerForks: lastEnd?.forks ?? [:], moved: moved)
        guard last.another(maxRounds: maxRounds) else { return .finish }
        round += 1
        return .beginRound
    }
}
