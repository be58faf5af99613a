import Testing

@testable import AccordSync

/// Whether a sync runs another round, as a pure function of what the last round changed.
@Suite struct SyncRoundTests {
    static func round(
        _ index: Int = 0, push: Bool = true, owedBefore: Set<String> = [], owedAfter: Set<String> = [], peerOwed: Int = 0,
        forksBefore: [String: Int] = [:], forksAfter: [String: Int] = [:], peerForks: [String: Int] = [:], moved: Int = 0
    ) -> SyncRound {
        SyncRound(
            index: index, push: push, owedBefore: owedBefore, owedAfter: owedAfter, peerOwed: peerOwed, forksBefore: forksBefore,
            forksAfter: forksAfter, peerForks: peerForks, moved: moved)
    }

    @Test func aQuietRoundEndsTheSync() {
        #expect(!Self.round(moved: 5).another(maxRounds: 20))
        #expect(!Self.round().another(maxRounds: 20))
    }

    /// Owed bodies: a full round's worth, or new ones this round made owed, go on while the
    /// round moved events; a round that moved nothing ends it (no progress, no loop).
    @Test func owedBodiesGoOnWhileTheRoundMovesEvents() {
        let full = Set((0..<SyncProtocol.maxBodiesAsked).map { "b\($0)" })
        #expect(Self.round(owedBefore: full, owedAfter: full, moved: 1).another(maxRounds: 20))
        #expect(!Self.round(owedBefore: full, owedAfter: full, moved: 0).another(maxRounds: 20))
        #expect(Self.round(peerOwed: SyncProtocol.maxBodiesAsked, moved: 3).another(maxRounds: 20))
        #expect(Self.round(owedBefore: ["a"], owedAfter: ["a", "b"], moved: 1).another(maxRounds: 20))
        #expect(!Self.round(owedBefore: ["a", "b"], owedAfter: ["a"], moved: 1).another(maxRounds: 20))
    }

    /// Fork points: one that moved (when pushing), or the peer's that this node lacks after
    /// the first round, run another round even when nothing moved.
    @Test func forkPointsThatDifferRunAnotherRound() {
        let k = "ed25519:k"
        #expect(Self.round(forksBefore: [:], forksAfter: [k: 4]).another(maxRounds: 20))
        #expect(!Self.round(push: false, forksBefore: [:], forksAfter: [k: 4]).another(maxRounds: 20))
        #expect(Self.round(0, forksAfter: [k: 4], peerForks: [k: 3]).another(maxRounds: 20))
        #expect(!Self.round(1, forksBefore: [k: 4], forksAfter: [k: 4], peerForks: [k: 3]).another(maxRounds: 20))
    }

    @Test func neverBeyondTheLastRound() {
        #expect(!Self.round(19, forksBefore: [:], forksAfter: ["ed25519:k": 1]).another(maxRounds: 20))
        #expect(Self.round(18, forksBefore: [:], forksAfter: ["ed25519:k": 1]).another(maxRounds: 20))
    }
}
