import AccordCore
import Foundation
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

/// The client half as a state machine: what it says to do next, from what each step saw.
@Suite struct SyncClientTests {
    static func end(next: Int64?, owed: Int = 0) -> SyncProtocol.PageEnd {
        var e = SyncProtocol.PageEnd(next: next, events: 0, dataset: "ds", vector: VersionVector())
        e.bodies = (0..<owed).map { String(format: "%064x", $0) }
        return e
    }

    @Test func aRoundPullsPageAfterPageThenPushesThenEnds() throws {
        var client = SyncClient(peer: "hub", push: true, maxRounds: 20, maxBarrenPages: 3)
        #expect(client.start == .beginRound)
        #expect(client.began(owed: [], forks: [:]) == .pull(after: 0, first: true))
        #expect(try client.pulled(Self.end(next: 5), took: 5) == .pull(after: 5, first: false))
        let last = Self.end(next: nil)
        #expect(try client.pulled(last, took: 2) == .push(last))
        #expect(client.pushed(sent: 1) == .endRound)
        #expect(client.ended(owed: [], forks: [:]) == .finish)
        #expect(client.lastEnd == last && client.round == 0)

        var pullOnly = SyncClient(peer: "hub", push: false, maxRounds: 20, maxBarrenPages: 3)
        _ = pullOnly.began(owed: [], forks: [:])
        #expect(try pullOnly.pulled(last, took: 0) == .endRound)
    }

    /// A peer that says "more" without moving forward, or sends page after page of nothing
    /// new, is cut off.
    @Test func aPeerThatGoesNowhereIsCutOff() throws {
        var stuck = SyncClient(peer: "hub", push: true, maxRounds: 20, maxBarrenPages: 3)
        _ = stuck.began(owed: [], forks: [:])
        _ = try stuck.pulled(Self.end(next: 5), took: 1)
        #expect(throws: SyncError.self) { try stuck.pulled(Self.end(next: 5), took: 1) }

        var barren = SyncClient(peer: "hub", push: true, maxRounds: 20, maxBarrenPages: 3)
        _ = barren.began(owed: [], forks: [:])
        _ = try barren.pulled(Self.end(next: 1), took: 0)
        _ = try barren.pulled(Self.end(next: 2), took: 0)
        #expect(throws: SyncError.self) { try barren.pulled(Self.end(next: 3), took: 0) }
        // A page with something new resets the count.
        var healing = SyncClient(peer: "hub", push: true, maxRounds: 20, maxBarrenPages: 3)
        _ = healing.began(owed: [], forks: [:])
        for n in 1...10 { _ = try healing.pulled(Self.end(next: Int64(n)), took: n % 2) }
    }

    /// Rounds go on while bodies are owed a full round's worth and the round moved events,
    /// each starting from the first page again, and never beyond the last round.
    @Test func roundsGoOnWhileTheyHealAndStopAtTheLast() throws {
        var client = SyncClient(peer: "hub", push: true, maxRounds: 3, maxBarrenPages: 3)
        var rounds = 0
        var step = client.start
        while step != .finish {
            switch step {
            case .beginRound:
                rounds += 1
                step = client.began(owed: [], forks: [:])
            case .pull:
                step = try client.pulled(Self.end(next: nil, owed: SyncProtocol.maxBodiesAsked), took: 10)
            case .push: step = client.pushed(sent: 3)
            case .endRound: step = client.ended(owed: [], forks: [:])
            case .finish: break
            }
        }
        #expect(rounds == 3 && client.round == 2)
    }
}
