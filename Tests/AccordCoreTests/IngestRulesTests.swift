import Testing

@testable import AccordCore

/// The append decision as a pure function: what the store is told to do with a checked event,
/// from the chain's verdict, the membership and the facts it would read.
@Suite struct IngestRulesTests {
    static let admin = SigningKey.fixed("rules-admin").author
    static let editor = SigningKey.fixed("rules-editor").author
    static let stranger = SigningKey.fixed("rules-stranger").author
    static let dataset = String(repeating: "d", count: 64)

    /// Facts as a table; every lookup is counted, so a test can tell which were needed.
    final class Facts: IngestFacts {
        var owed: Set<String> = []
        var inEffect: Set<String> = []
        var held: Set<String> = []
        var kept: Set<String> = []
        var forkCount = 0
        var lookups = 0
        func bodyOwed(_ id: String) -> Bool { lookups += 1; return owed.contains(id) }
        func redactionInEffect(_ id: String) -> Bool { lookups += 1; return inEffect.contains(id) }
        func redactionHeld(_ id: String) -> Bool { lookups += 1; return held.contains(id) }
        func forkEvidenceKept(_ id: String) -> Bool { lookups += 1; return kept.contains(id) }
        func forkEvidenceCount(_ author: String) -> Int { lookups += 1; return forkCount }
    }

    /// Admin (genesis author) and an editor granted at the admin's seq 2.
    static let membership = Membership.fold(
        genesisAuthor: admin.text,
        facts: [
            MembershipFact(id: "g1", author: admin.text, seq: 2, time: "t1", event: .granted(key: editor, role: .editor, name: "Ed"))
        ])

    static func envelope(_ author: AuthorKey, seq: Int, type: String = "field.set") -> Envelope {
        let draft =
            type == "member.granted"
            ? AuthorizationEvent.granted(key: stranger, role: .editor, name: "S").draft
            : EventDraft(type: type, subject: "A/RES/71/19", body: ["field": "notes", "value": "x", "base": []])
        return UnsignedEvent(draft: draft, dataset: dataset, author: author, seq: seq, prev: nil, time: HLCTime(millis: 1000)).envelope
    }

    func decide(
        _ env: Envelope, chain: ChainDecision, hasBody: Bool = true, facts: Facts = Facts(), headSeq: Int = 0
    ) throws -> IngestAction {
        try IngestRules.decide(
            id: "e1", envelope: env, hasBody: hasBody, chain: chain, membership: Self.membership, dataset: Self.dataset,
            headSeq: headSeq, facts: facts)
    }

    @Test func aMemberEventIsAppendedAndNeedsNoLookupBeyondRedactions() throws {
        let facts = Facts()
        #expect(try decide(Self.envelope(Self.editor, seq: 1), chain: .append(adoptsDataset: false), facts: facts) == .append(.init()))
        // Whether a redaction of it is in effect or held: two lookups, nothing else.
        #expect(facts.lookups == 2)
    }

    @Test func aStrangerIsRefusedAndRetriedForItsGrantMayFollow() throws {
        let facts = Facts()
        guard
            case .refuse(let r, let retry) = try decide(
                Self.envelope(Self.stranger, seq: 1), chain: .append(adoptsDataset: false), facts: facts)
        else { Issue.record("not refused"); return }
        #expect(r.code == .unauthorized && retry)
        #expect(facts.lookups == 0)
    }

    @Test func onlyAnAdminSignsMembershipChanges() throws {
        let env = Self.envelope(Self.editor, seq: 1, type: "member.granted")
        guard case .refuse(let r, false) = try decide(env, chain: .append(adoptsDataset: false)) else {
            Issue.record("an editor's grant was not refused")
            return
        }
        #expect(r.message.contains("only an admin"))
        #expect(
            try decide(Self.envelope(Self.admin, seq: 3, type: "member.granted"), chain: .append(adoptsDataset: false)) == .append(.init()))
    }

    /// Without a body: owed (a curation event), dropped (its redaction is in effect), or
    /// refused (who may write never waits for a body).
    @Test func aMissingBodyIsOwedErasedOrRefused() throws {
        let env = Self.envelope(Self.editor, seq: 1)
        #expect(try decide(env, chain: .append(adoptsDataset: false), hasBody: false) == .append(.init(bodyPending: true)))
        let erased = Facts()
        erased.inEffect = ["e1"]
        #expect(try decide(env, chain: .append(adoptsDataset: false), hasBody: false, facts: erased) == .append(.init(dropBody: true)))
        let held = Facts()
        held.held = ["e1"]
        #expect(try decide(env, chain: .append(adoptsDataset: false), facts: held) == .append(.init(settlesHeldRedaction: true)))
        guard
            case .refuse(let r, false) = try decide(
                Self.envelope(Self.admin, seq: 3, type: "member.granted"), chain: .append(adoptsDataset: false), hasBody: false)
        else {
            Issue.record("a bodiless grant was taken")
            return
        }
        #expect(r.code == .badShape)
    }

    @Test func aDuplicateFillsAnOwedBodyOnlyWhenItCarriesOne() throws {
        let env = Self.envelope(Self.editor, seq: 1)
        let facts = Facts()
        facts.owed = ["e1"]
        #expect(try decide(env, chain: .duplicate, facts: facts) == .fillBody)
        #expect(try decide(env, chain: .duplicate, hasBody: false, facts: facts) == .duplicate)
        #expect(try decide(env, chain: .duplicate) == .duplicate)
    }

    /// Fork evidence: kept for a member's key under the bound, a duplicate when known,
    /// refused for a key that may not sign that seq.
    @Test func forkEvidenceIsBoundedAndOnlyForKeysThatMaySign() throws {
        let env = Self.envelope(Self.editor, seq: 1)
        #expect(try decide(env, chain: .fork(existingID: "x")) == .fork(existingID: "x", keep: true))
        let full = Facts()
        full.forkCount = IngestRules.maxForksPerAuthor
        #expect(try decide(env, chain: .fork(existingID: "x"), facts: full) == .fork(existingID: "x", keep: false))
        let known = Facts()
        known.kept = ["e1"]
        #expect(try decide(env, chain: .fork(existingID: "x"), facts: known) == .duplicate)
        guard case .refuse(_, false) = try decide(Self.envelope(Self.stranger, seq: 1), chain: .fork(existingID: "x")) else {
            Issue.record("a stranger's fork was kept")
            return
        }
    }

    /// A gap is retried (its predecessor may come later in the batch); a seq below the head
    /// that is not stored is not.
    @Test func onlyAGapAheadIsRetried() throws {
        let gap = EventRejection(.seqGap, "gap")
        #expect(try decide(Self.envelope(Self.editor, seq: 5), chain: .reject(gap), headSeq: 2) == .refuse(gap, retry: true))
        #expect(try decide(Self.envelope(Self.editor, seq: 1), chain: .reject(gap), headSeq: 2) == .refuse(gap, retry: false))
        let prev = EventRejection(.wrongPrev, "prev")
        #expect(try decide(Self.envelope(Self.editor, seq: 3), chain: .reject(prev), headSeq: 2) == .refuse(prev, retry: false))
    }
}
