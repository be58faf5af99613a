import AccordCore

/// Whether a sync runs another pull-and-push round, decided from what the last round
/// changed (a pure function of the round's before and after).
struct SyncRound: Sendable, Equatable {
    /// Which round this was (0 first).
    var index: Int
    /// Whether the sync pushes.
    var push: Bool
    /// Bodies this node was owed before and after the round (at most `maxBodiesAsked` each).
    var owedBefore: Set<String>
    var owedAfter: Set<String>
    /// Bodies the peer said it is owed (its last page end).
    var peerOwed: Int
    /// This node's fork points before and after the round, and the peer's.
    var forksBefore: [String: Int]
    var forksAfter: [String: Int]
    var peerForks: [String: Int]
    /// Events received and sent in the round.
    var moved: Int

    /// Another round is run while it can still heal something:
    /// - bodies are asked for and sent at most `maxBodiesAsked` a round: go on while either
    ///   side was owed a full round's worth, or this round made bodies owed that it did not
    ///   ask for (a revocation that voids a redaction this node took), and the round moved
    ///   events;
    /// - a fork point moved (the peer's side of a fork came): another round shows the peer
    ///   this node's side from there, so both apply the same cut;
    /// - after the first round, the peer names a fork point this node lacks (its events came
    ///   in this round, the evidence only with the next request).
    /// Never beyond `maxRounds`.
    func another(maxRounds: Int) -> Bool {
        guard index < maxRounds - 1 else { return false }
        let more =
            owedBefore.count == SyncProtocol.maxBodiesAsked || peerOwed == SyncProtocol.maxBodiesAsked
            || !owedAfter.isSubset(of: owedBefore)
        let forksMoved = push && forksAfter != forksBefore
        let forksApart = index == 0 && peerForks.contains { forksAfter[$0.key] != $0.value }
        return forksMoved || forksApart || (more && moved > 0)
    }
}
