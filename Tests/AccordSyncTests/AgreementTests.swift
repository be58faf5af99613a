import AccordCore
import AccordStore
import AccordTestSupport
import AsyncHTTPClient
import Foundation
import Testing

@testable import AccordSync

/// Honest nodes agree after any misbehaviour they have all seen, whatever the order in
/// which it reached them: a key's fork (`ForkRule`) and redactions that arrive before
/// their target (`RedactionRule`).
@Suite struct AgreementTests {
    /// `draft` signed by `key` at its next seq on `node` (as a key holder outside any node would).
    static func next(_ draft: EventDraft, key: SigningKey, on node: TestNode, after: (seq: Int, id: String)? = nil) throws -> SignedEvent {
        let dataset = try #require(try node.log.datasetID())
        let head = try after ?? node.log.chainHead(author: key.author.text).map { ($0.seq, $0.id) }
        return UnsignedEvent(
            draft: draft, dataset: dataset, author: key.author, seq: (head?.seq ?? 0) + 1, prev: head?.id,
            time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: key)
    }

    /// An editor signs two different edits at one seq and gives one to the hub, the other
    /// to a replica (each followed by more of its branch). After a sync both hold the
    /// evidence, neither branch counts on either node, and their records are equal; the
    /// sync reports the fork. A revocation with the default cut-off changes nothing of that.
    @Test func aForkCountsOnNoNodeWhateverBranchItSawFirst() async throws {
        let dir = TempDir()
        let (hub, admin, rogue, s) = try MaliciousPeerTests.hubWithRogue(dir, "agree")
        let replica = try TestNode(name: "replica", dir: dir.path, key: SigningKey.fixed("agree-replica"))
        _ = try replica.log.ingest(lines: hub.lines())
        let onHub = try MaliciousPeerTests.branch("hub", 3, key: rogue, on: hub, s)
        let onReplica = try MaliciousPeerTests.branch("replica", 3, key: rogue, on: hub, s)
        #expect(try hub.log.ingest(lines: onHub).allSatisfy(\.isAccepted))
        #expect(try replica.log.ingest(lines: onReplica).allSatisfy(\.isAccepted))
        #expect(try hub.curation.state(s)?.value(.notes).stringValue?.hasPrefix("hub") == true)
        #expect(try replica.curation.state(s)?.value(.notes).stringValue?.hasPrefix("replica") == true)
        try await hub.start()
        try await withSyncClient { http in
            let report = try await replica.sync(with: hub, http: http)
            #expect(
                report.problem?.contains("signed two different events") == true || report.problem?.contains("fork") == true, "\(report)")
            #expect(try hub.log.forkedAuthors() == [rogue.author.text])
            #expect(try replica.log.forkedAuthors() == [rogue.author.text])
            // What the key signed before the fork keeps its effect; nothing from the fork on counts.
            #expect(try hub.curation.state(s)?.value(.notes) == "rogue 2")
            #expect(try replica.curation.state(s)?.value(.notes) == "rogue 2")
            #expect(try replica.curation.digest() == hub.curation.digest())
            // A node new to the dataset holds one branch after its first pull; the hub names
            // its fork point, so the next round brings the evidence (the other branch's
            // envelope) and the newcomer applies the same cut: equal records, told of the fork.
            let newcomer = try TestNode(name: "newcomer", dir: dir.path, key: SigningKey.fixed("agree-newcomer"))
            let first = try await newcomer.sync(with: hub, http: http, push: false)
            #expect(try newcomer.log.forkPoints() == hub.log.forkPoints(), "\(first)")
            #expect(try newcomer.curation.digest() == hub.curation.digest(), "\(first)")
            #expect(first.inSync, "\(first)")
            // The admin revokes the key with the default cut-off (its highest seq on the hub).
            try hub.curation.revoke(rogue.author, key: admin)
            try hub.curation.set(s, .title, "After the revocation", key: admin)
            let after = try await replica.sync(with: hub, http: http)
            #expect(try replica.curation.state(s)?.value(.title) == "After the revocation")
            #expect(try replica.curation.state(s)?.value(.notes) == "rogue 2")
            #expect(try replica.curation.digest() == hub.curation.digest(), "\(after)")
            await hub.stop()
        }
    }

    /// The same fork reaching two nodes in opposite orders (one branch first, then the
    /// other) leaves them with equal records and equal to a rebuild.
    @Test func aForkInEitherOrderGivesTheSameRecords() throws {
        let dir = TempDir()
        let (hub, _, rogue, s) = try MaliciousPeerTests.hubWithRogue(dir, "order")
        let a = try MaliciousPeerTests.branch("a", 2, key: rogue, on: hub, s)
        let b = try MaliciousPeerTests.branch("b", 2, key: rogue, on: hub, s)
        let first = try TestNode(name: "first", dir: dir.path, key: SigningKey.fixed("order-1"))
        let second = try TestNode(name: "second", dir: dir.path, key: SigningKey.fixed("order-2"))
        for node in [first, second] { _ = try node.log.ingest(lines: hub.lines()) }
        _ = try first.log.ingest(lines: a)
        _ = try first.log.ingest(lines: b)
        _ = try second.log.ingest(lines: b)
        _ = try second.log.ingest(lines: a)
        #expect(try first.curation.state(s)?.value(.notes) == "rogue 2")
        #expect(try first.curation.digest() == second.curation.digest())
        let before = try first.curation.digest()
        try first.log.rebuild()
        #expect(try first.curation.digest() == before)
        // The forked key's later events beyond the evidence bound are refused, as a revoked key's.
        let more = try MaliciousPeerTests.branch("late", MembershipState.maxEventsBeyondRevocation + 2, key: rogue, on: first, s)
        let outcomes = try first.log.ingest(lines: more)
        #expect(outcomes.contains { if case .rejected = $0 { true } else { false } })
        #expect(!outcomes.contains { $0.isAccepted })
    }

    /// A second admin redacts the first admin's revocation of an editor. One node gets the
    /// redaction before the revocation, the other after: on both the revocation stands
    /// (membership events are never erased), the revoked key's later edit does not count,
    /// and both keep syncing.
    @Test func aRedactionOfARevocationNeverErasesItInEitherOrder() async throws {
        let dir = TempDir()
        let admin = SigningKey.fixed("redact-admin")
        let second = SigningKey.fixed("redact-second")
        let editor = SigningKey.fixed("redact-editor")
        let hub = try Seed.hub(dir, key: admin, curators: [editor])
        _ = try hub.log.author([AuthorizationEvent.granted(key: second.author, role: .admin, name: "second").draft], key: admin)
        let s = try hub.curation.existing("A/RES/72/1")
        let base = try hub.lines()
        let revocation = try Self.next(AuthorizationEvent.revoked(key: editor.author, validThroughSeq: 0).draft, key: admin, on: hub)
        let redaction = try Self.next(
            AuthorizationEvent.redacted(target: revocation.id, reason: "undo").draft, key: second, on: hub)
        let forged = try Self.next(
            DomainEvent.fieldSet(s, field: .summary, value: .string("forged"), base: []).draft, key: editor, on: hub)
        let early = try TestNode(name: "early", dir: dir.path, key: SigningKey.fixed("redact-early"))
        let late = try TestNode(name: "late", dir: dir.path, key: SigningKey.fixed("redact-late"))
        for node in [early, late] { _ = try node.log.ingest(lines: base) }
        _ = try early.log.ingest(lines: [redaction.wireLine])
        _ = try early.log.ingest(lines: [revocation.wireLine, forged.wireLine])
        _ = try late.log.ingest(lines: [revocation.wireLine, redaction.wireLine, forged.wireLine])
        for node in [early, late] {
            #expect(try node.log.event(id: revocation.id)?.bodyBytes != nil)
            #expect(try node.log.invalidReason(forged.id) != nil)
            #expect(try node.curation.state(s)?.value(.summary) != "forged")
        }
        #expect(try early.curation.digest() == late.curation.digest())
        // The hub takes both and the two nodes go on syncing with it.
        _ = try hub.log.ingest(lines: [revocation.wireLine, redaction.wireLine, forged.wireLine])
        try hub.curation.set(s, .title, "Later", key: admin)
        try await hub.start()
        try await withSyncClient { http in
            for node in [early, late] {
                let report = try await node.sync(with: hub, http: http)
                #expect(report.problem == nil && report.inSync, "\(report)")
                #expect(try node.curation.state(s)?.value(.title) == "Later")
                #expect(try node.curation.digest() == hub.curation.digest())
            }
            await hub.stop()
        }
        // Signed locally, such a redaction is refused before signing.
        #expect(throws: EditRefused.self) {
            _ = try hub.log.author([AuthorizationEvent.redacted(target: revocation.id, reason: "again").draft], key: admin)
        }
    }

    /// A redaction of an edit that arrives before the edit is held: once the edit comes,
    /// its body is erased, as on a node that got them the other way round.
    @Test func aRedactionAheadOfItsTargetErasesItWhenItComes() throws {
        let dir = TempDir()
        let admin = SigningKey.fixed("held-admin")
        let editor = SigningKey.fixed("held-editor")
        let hub = try Seed.hub(dir, key: admin, curators: [editor])
        let s = try hub.curation.existing("A/RES/72/1")
        let base = try hub.lines()
        let edit = try Self.next(
            DomainEvent.fieldSet(s, field: .notes, value: .string("a phone number"), base: []).draft, key: editor, on: hub)
        let redaction = try Self.next(AuthorizationEvent.redacted(target: edit.id, reason: "personal data").draft, key: admin, on: hub)
        let early = try TestNode(name: "early", dir: dir.path, key: SigningKey.fixed("held-early"))
        let late = try TestNode(name: "late", dir: dir.path, key: SigningKey.fixed("held-late"))
        for node in [early, late] { _ = try node.log.ingest(lines: base) }
        _ = try early.log.ingest(lines: [redaction.wireLine])
        _ = try early.log.ingest(lines: [edit.wireLine])
        _ = try late.log.ingest(lines: [edit.wireLine, redaction.wireLine])
        for node in [early, late] {
            #expect(try node.log.event(id: edit.id)?.bodyBytes == nil)
            #expect(try node.curation.state(s)?.value(.notes) != "a phone number")
        }
        #expect(try early.curation.digest() == late.curation.digest())
    }
}
