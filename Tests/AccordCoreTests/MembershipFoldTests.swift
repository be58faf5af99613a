import AccordCore
import Foundation
import Testing

/// The membership fold as a pure function: authority is judged at the time of the act.
@Suite struct MembershipFoldTests {
    static let alice = SigningKey.fixed("fold-alice").author
    static let bob = SigningKey.fixed("fold-bob").author
    static let carol = SigningKey.fixed("fold-carol").author
    static let dave = SigningKey.fixed("fold-dave").author

    /// A fact signed by `author` as its event number `seq` at `time` (a sortable stand-in).
    static func fact(_ author: AuthorKey, _ seq: Int, _ time: Int, _ event: AuthorizationEvent) -> MembershipFact {
        MembershipFact(
            id: "\(author.text.suffix(6))-\(seq)", author: author.text, seq: seq, time: String(format: "t%05d", time), event: event)
    }

    static func fold(_ facts: [MembershipFact]) -> MembershipState {
        Membership.fold(genesisAuthor: alice.text, facts: facts)
    }

    /// Every permutation's fold is the same state (arrival order never matters).
    static func sameInAnyOrder(_ facts: [MembershipFact]) -> Bool {
        let reference = fold(facts)
        var rng = UInt64(7)
        for _ in 0..<30 {
            var shuffled = facts
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                shuffled.swapAt(i, Int(rng >> 33) % (i + 1))
            }
            if fold(shuffled) != reference { return false }
        }
        return true
    }

    @Test func aDowngradeKeepsWhatTheFormerAdminDid() {
        // Alice (genesis, seq 1) grants Bob admin; Bob (seq 1) grants Carol editor; Alice downgrades Bob from his seq 2.
        let facts = [
            Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .admin, name: "bob")),
            Self.fact(Self.bob, 1, 2, .granted(key: Self.carol, role: .editor, name: "carol")),
            Self.fact(Self.alice, 3, 3, .granted(key: Self.bob, role: .editor, name: "bob", fromSeq: 2)),
        ]
        let s = Self.fold(facts)
        #expect(s.invalidFacts.isEmpty)
        #expect(s.authorize(Self.carol.text, seq: 1) == .valid(.editor))
        #expect(s.authorize(Self.bob.text, seq: 1) == .valid(.admin))
        #expect(s.authorize(Self.bob.text, seq: 2) == .valid(.editor))
        #expect(s.members[Self.bob.text]?.role == .editor)
        #expect(Self.sameInAnyOrder(facts))
    }

    @Test func aDowngradeFromSeqOneUndoesWhatTheKeyGranted() {
        // Old-style grants (no fromSeq) say "for all of the key's events": Bob's grant then counts as an editor's.
        let facts = [
            Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .admin, name: "bob")),
            Self.fact(Self.bob, 1, 2, .granted(key: Self.carol, role: .editor, name: "carol")),
            Self.fact(Self.alice, 3, 3, .granted(key: Self.bob, role: .editor, name: "bob")),
        ]
        let s = Self.fold(facts)
        #expect(s.invalidFacts == [facts[1].id])
        #expect(s.authorize(Self.carol.text, seq: 1) == .notMember)
    }

    @Test func anUpgradeAppliesFromItsSeq() {
        let facts = [
            Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .editor, name: "bob")),
            Self.fact(Self.alice, 3, 2, .granted(key: Self.bob, role: .admin, name: "bob", fromSeq: 4)),
            // Bob's seq 3 grant came before his upgrade: it has no effect; his seq 4 grant counts.
            Self.fact(Self.bob, 3, 3, .granted(key: Self.carol, role: .editor, name: "carol")),
            Self.fact(Self.bob, 4, 4, .granted(key: Self.dave, role: .editor, name: "dave")),
        ]
        let s = Self.fold(facts)
        #expect(s.invalidFacts == [facts[2].id])
        #expect(s.authorize(Self.carol.text, seq: 1) == .notMember)
        #expect(s.authorize(Self.dave.text, seq: 1) == .valid(.editor))
        #expect(s.authorize(Self.bob.text, seq: 3) == .valid(.editor))
        #expect(Self.sameInAnyOrder(facts))
    }

    @Test func aRevocationIsFinalWhateverGrantsFollow() {
        let facts = [
            Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .editor, name: "bob")),
            Self.fact(Self.alice, 3, 2, .revoked(key: Self.bob, validThroughSeq: 5)),
            Self.fact(Self.alice, 4, 3, .granted(key: Self.bob, role: .admin, name: "bob again", fromSeq: 7)),
        ]
        let s = Self.fold(facts)
        #expect(s.authorize(Self.bob.text, seq: 5) == .valid(.editor))
        #expect(s.authorize(Self.bob.text, seq: 8) == .revoked(validThroughSeq: 5))
        #expect(s.activeAdmins.map(\.key) == [Self.alice.text])
        // The check before signing refuses the re-grant, so no CLI path writes one.
        let before = Self.fold(Array(facts.prefix(2)))
        #expect(MembershipChange.refusal(before: before, after: s, proposed: [facts[2]])?.contains("a revocation is final") == true)
    }

    @Test func grantChainsThreeDeepSurviveAMiddleDowngrade() {
        let facts = [
            Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .admin, name: "bob")),
            Self.fact(Self.bob, 1, 2, .granted(key: Self.carol, role: .admin, name: "carol")),
            Self.fact(Self.carol, 1, 3, .granted(key: Self.dave, role: .editor, name: "dave")),
            Self.fact(Self.alice, 3, 4, .granted(key: Self.bob, role: .editor, name: "bob", fromSeq: 2)),
        ]
        let s = Self.fold(facts)
        #expect(s.invalidFacts.isEmpty)
        #expect(s.authorize(Self.dave.text, seq: 1) == .valid(.editor))
        #expect(Set(s.activeAdmins.map(\.key)) == [Self.alice.text, Self.carol.text])
        // Revoking Bob through seq 0 instead removes everything his grant carried.
        let revoked = Self.fold(Array(facts.prefix(3)) + [Self.fact(Self.alice, 3, 4, .revoked(key: Self.bob, validThroughSeq: 0))])
        #expect(revoked.authorize(Self.dave.text, seq: 1) == .notMember)
        #expect(Self.sameInAnyOrder(facts))
    }

    @Test func concurrentChangesByTwoAdminsOnOfflineNodesAgree() {
        // Alice and Bob (both admins) change Carol's role from the same seq while offline: the later wins everywhere.
        let facts = [
            Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .admin, name: "bob")),
            Self.fact(Self.alice, 3, 2, .granted(key: Self.carol, role: .editor, name: "carol")),
            Self.fact(Self.alice, 4, 5, .granted(key: Self.carol, role: .admin, name: "carol", fromSeq: 3)),
            Self.fact(Self.bob, 1, 6, .granted(key: Self.carol, role: .editor, name: "carol (desk)", fromSeq: 3)),
            // And each revokes the other, concurrently: the earlier act stands, the later signer is cut off.
            Self.fact(Self.alice, 5, 8, .revoked(key: Self.bob, validThroughSeq: 1)),
            Self.fact(Self.bob, 2, 7, .revoked(key: Self.alice, validThroughSeq: 4)),
        ]
        let s = Self.fold(facts)
        #expect(Self.sameInAnyOrder(facts))
        #expect(s.authorize(Self.carol.text, seq: 3) == .valid(.editor))
        #expect(s.members[Self.carol.text]?.name == "carol (desk)")
        // Bob's revocation of Alice (time 7) came first: Alice's seq 5 revocation of Bob has no effect.
        #expect(s.invalidFacts == [facts[4].id])
        #expect(s.authorize(Self.alice.text, seq: 5) == .revoked(validThroughSeq: 4))
    }

    @Test func oneAdminsGrantThenRevokeEndRevokedWhateverTheirTimes() {
        // A poisoned clock gives the later revocation an earlier time than the grant: seq order still decides.
        let facts = [
            Self.fact(Self.alice, 2, 9, .granted(key: Self.bob, role: .editor, name: "bob")),
            Self.fact(Self.alice, 3, 9, .revoked(key: Self.bob, validThroughSeq: 0)),
        ]
        let s = Self.fold(facts)
        #expect(s.authorize(Self.bob.text, seq: 1) == .revoked(validThroughSeq: 0))
        #expect(Self.sameInAnyOrder(facts))
    }

    @Test func theCheckBeforeSigningRefusesWhatWouldDoNothingOrLeaveNoAdmin() {
        let base = [Self.fact(Self.alice, 2, 1, .granted(key: Self.bob, role: .editor, name: "bob"))]
        func refusal(_ author: AuthorKey, _ seq: Int, _ e: AuthorizationEvent) -> String? {
            let p = [MembershipFact(id: "proposed", author: author.text, seq: seq, time: "~", event: e)]
            return MembershipChange.refusal(before: Self.fold(base), after: Self.fold(base + p), proposed: p)
        }
        #expect(refusal(Self.alice, 3, .granted(key: Self.bob, role: .editor, name: "bob"))?.contains("nothing to change") == true)
        #expect(refusal(Self.alice, 3, .granted(key: Self.bob, role: .admin, name: "bob", fromSeq: 1)) == nil)
        #expect(refusal(Self.alice, 3, .revoked(key: Self.carol, validThroughSeq: 0))?.contains("not a member") == true)
        #expect(refusal(Self.alice, 3, .revoked(key: Self.alice, validThroughSeq: 3))?.contains("without an admin") == true)
        #expect(refusal(Self.alice, 3, .revoked(key: Self.alice, validThroughSeq: 2))?.contains("--valid-through 3") == true)
        #expect(
            refusal(Self.alice, 3, .granted(key: Self.alice, role: .editor, name: "alice", fromSeq: 4))?.contains("without an admin")
                == true)
        #expect(refusal(Self.bob, 1, .granted(key: Self.carol, role: .editor, name: "carol"))?.contains("would not be an admin") == true)
    }

    /// What two nodes are expected to agree on: a revoked key up to the evidence it may leave,
    /// a key whose chains are apart up to its cut-off when revoked, not at all when its fork
    /// is evidenced, in full otherwise.
    @Test func vectorsAreComparedUpToWhatNodesExchange() {
        let members = [
            "revoked": Member(key: "revoked", role: .editor, name: "r", validThroughSeq: 5),
            "apartRevoked": Member(key: "apartRevoked", role: .editor, name: "a", validThroughSeq: 3),
        ]
        let state = MembershipState(members: members, periods: [:], invalidFacts: [])
        #expect(state.keptThrough("revoked") == 5 + MembershipState.maxEventsBeyondRevocation && state.keptThrough("other") == nil)
        let v = VersionVector(["revoked": 40, "apartRevoked": 9, "forked": 7, "apart": 8, "honest": 12])
        let shared = v.shared(apart: ["apartRevoked", "forked", "apart"], forked: ["forked"], membership: state)
        #expect(shared == VersionVector(["revoked": 21, "apartRevoked": 3, "apart": 8, "honest": 12]))
    }
}
