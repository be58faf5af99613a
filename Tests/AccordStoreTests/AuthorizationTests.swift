import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// Who may write is decided by the log itself.
@Suite struct AuthorizationTests {
    static let alice = Fixtures.alice  // genesis admin
    static let bob = Fixtures.bob  // editor (granted by Fixtures.node)
    static let stranger = SigningKey.fixed("stranger")

    static func node(_ dir: TempDir, _ name: String = "node.db") throws -> Curation {
        let c = Curation(log: try Fixtures.node(dir, name, projectors: [CurationProjector()]))
        try c.add("A/RES/71/19", fields: [.title: "Title"], key: alice)
        return c
    }

    /// A member's time far ahead would win every last-writer-wins choice while it is ahead
    /// (stamped in year 9999, a withdrawal no restore could undo): refused until this node's
    /// clock gets within the drift bound of it, and nothing changes meanwhile.
    @Test func anEventStampedBeyondTheDriftBoundIsRefusedAndChangesNothing() throws {
        let dir = TempDir()
        let c = try Self.node(dir)
        let s = try c.existing("A/RES/71/19")
        let dataset = try c.log.datasetID()!
        func next(_ draft: EventDraft, time: HLCTime) throws -> SignedEvent {
            let head = try c.log.pool.read { db in try EventLog.head(db, author: Self.alice.author.text) }
            return UnsignedEvent(
                draft: draft, dataset: dataset, author: Self.alice.author, seq: (head?.seq ?? 0) + 1, prev: head?.id, time: time
            ).signed(by: Self.alice)
        }
        let digest = try c.digest()
        let frozen = try next(DomainEvent.withdrawn(s, reason: "frozen").draft, time: HLCTime("9999-12-31T23:59:59.999Z#99999")!)
        let out = try c.log.ingest(lines: [frozen.wireLine])
        guard case .rejected(let r) = out[0] else { Issue.record("taken: \(out[0])"); return }
        #expect(r.code == .futureTime && r.message.contains("9999-12-31"), "\(r)")
        #expect(try c.digest() == digest && c.state(s)?.withdrawn == false)
        // Four minutes ahead is within the bound: taken, and a restore signed here afterwards
        // comes after it (the clock followed it) and wins.
        let soon = try next(
            DomainEvent.withdrawn(s, reason: "soon").draft, time: HLCTime(millis: HybridLogicalClock.wallMillis() + 240_000))
        #expect(try c.log.ingest(lines: [soon.wireLine])[0].isAccepted)
        #expect(try c.state(s)?.withdrawn == true)
        try c.restore(s, key: Self.alice)
        #expect(try c.state(s)?.withdrawn == false)
    }

    @Test func editorsEditStrangersAndEditorGrantsAreRejected() throws {
        let dir = TempDir()
        let c = try Self.node(dir)
        let s = try c.existing("A/RES/71/19")
        #expect(try c.set(s, .notes, "by bob", key: Self.bob) != nil)
        #expect(try c.log.members().map(\.role).sorted { $0.rawValue < $1.rawValue } == [.admin, .editor])
        // A stranger's properly signed edit, arriving from elsewhere, is rejected naming key and dataset.
        let dataset = try c.log.datasetID()!
        let head = try c.log.versionVector()
        let forged = UnsignedEvent(
            draft: DomainEvent.fieldSet(s, field: .notes, value: "by a stranger", base: []).draft, dataset: dataset,
            author: Self.stranger.author, seq: 1, prev: nil, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.stranger)
        let out = try c.log.ingest(lines: [forged.wireLine])
        guard case .rejected(let r) = out[0] else { Issue.record("stranger accepted: \(out[0])"); return }
        #expect(r.code == .unauthorized && r.message.contains(Self.stranger.author.text) && r.message.contains(dataset))
        #expect(try c.log.versionVector() == head)
        // Local authoring by a stranger is refused before anything is signed.
        #expect(throws: NotAuthorized.self) { try c.set(s, .notes, "x", key: Self.stranger) }
        // An editor cannot grant.
        #expect {
            try c.authorize([.granted(key: Self.stranger.author, role: .editor, name: "S")], key: Self.bob)
        } throws: { "\($0)".contains("only an admin") }
        #expect(try c.log.members().count == 2)
        #expect(try c.state(s)?.value(.notes) == "by bob")
    }

    @Test func revokedWhileOffline() throws {
        // Bob has events 1...57; offline he signs 58-60 while alice revokes him through 57.
        for order in ["laptop first", "revocation first"] {
            let dir = TempDir()
            let hub = try Self.node(dir, "hub.db")
            let s = try hub.existing("A/RES/71/19")
            var drafts: [EventDraft] = []
            for k in 0..<57 { drafts.append(DomainEvent.topicsAdded(s, ["topic \(k)"]).draft) }
            let pre = try hub.log.author(drafts, key: Self.bob)
            #expect(pre.allSatisfy { $0.isAccepted })
            let laptop = Curation(log: try EventLog(path: dir.file("laptop.db"), projectors: [CurationProjector()]))
            let third = Curation(log: try EventLog(path: dir.file("third.db"), projectors: [CurationProjector()]))
            for n in [laptop, third] { _ = try n.log.ingest(lines: Fixtures.lines(hub.log)) }
            #expect(try laptop.log.versionVector()[Self.bob.author.text] == 57)
            let before = try hub.state(s)!
            // Offline: bob signs 58, 59, 60; alice revokes bob through 57.
            try laptop.set(s, .title, "Bob's late title", key: Self.bob)
            try laptop.tag(s, ["late topic"], key: Self.bob)
            try laptop.set(s, .notes, "Bob's late note", key: Self.bob)
            #expect(try laptop.log.versionVector()[Self.bob.author.text] == 60)
            try hub.authorize([.revoked(key: Self.bob.author, validThroughSeq: 57)], key: Self.alice)
            func exchange(_ a: Curation, _ b: Curation) throws {
                _ = try b.log.ingest(lines: Fixtures.lines(a.log))
                _ = try a.log.ingest(lines: Fixtures.lines(b.log))
            }
            if order == "laptop first" {
                try exchange(laptop, third)  // third sees 58-60 as valid first
                try exchange(laptop, hub)
                try exchange(third, hub)
            } else {
                try exchange(hub, third)
                try exchange(hub, laptop)
                try exchange(laptop, third)
            }
            var digests: Set<String> = []
            for n in [hub, laptop, third] {
                let history = try n.history(s)
                let late = history.filter { $0.author == Self.bob.author.text && (try? n.log.event(id: $0.id)?.seq ?? 0) ?? 0 > 57 }
                #expect(late.count == 3, "\(order)")
                #expect(late.allSatisfy { $0.invalid?.contains("revoked after seq 57") == true }, "\(order)")
                let state = try n.state(s)!
                #expect(state.value(.title) == before.value(.title), "\(order)")
                #expect(state.value(.notes) == before.value(.notes))
                #expect(!state.topics.contains("late topic") && state.topics.contains("topic 56"))
                #expect(try n.log.members().first { $0.key == Self.bob.author.text }?.validThroughSeq == 57)
                #expect(try n.log.verify().isClean)
                digests.insert(try n.digest())
            }
            #expect(digests.count == 1, "\(order): digests differ")
            // A rebuild gives the same state.
            try third.log.rebuild()
            #expect(try third.digest() == hub.digest())
            // Bob's laptop refuses to sign more.
            #expect(throws: NotAuthorized.self) { try laptop.set(s, .notes, "again", key: Self.bob) }
        }
    }

    @Test func rotationKeepsOldEventsAndStopsTheOldKey() throws {
        let dir = TempDir()
        let c = try Self.node(dir)
        let s = try c.existing("A/RES/71/19")
        try c.set(s, .notes, "signed by the old key", key: Self.alice)
        let newKey = SigningKey.fixed("alice-2")
        let last = try c.log.highestSeq(Self.alice.author.text)!
        // The library's rotation (what `accord rotate` runs): the grant and the revocation are
        // the old key's last two events, and the revocation keeps both valid.
        try c.rotate(Self.alice, to: newKey)
        #expect(try c.log.highestSeq(Self.alice.author.text) == last + 2)
        #expect(try c.log.members().first { $0.key == Self.alice.author.text }?.validThroughSeq == last + 2)
        #expect(try c.log.members().first { $0.key == newKey.author.text }?.role == .admin)
        #expect(throws: RotationNeedsAnAdmin.self) { try c.rotate(Self.bob, to: SigningKey.fixed("bob-2")) }
        #expect(try c.log.verify().isClean)
        #expect(try c.state(s)?.value(.notes) == "signed by the old key")
        #expect(throws: NotAuthorized.self) { try c.set(s, .notes, "old key again", key: Self.alice) }
        try c.set(s, .notes, "signed by the new key", key: newKey)
        #expect(try c.state(s)?.value(.notes) == "signed by the new key")
        // An old-key event made elsewhere after the cut-off is stored without effect.
        let dataset = try c.log.datasetID()!
        let head = try WireFormat.verify(
            line: Fixtures.lines(c.log).last { (try? WireFormat.verify(line: $0).get().envelope.author) == Self.alice.author.text }!
        ).get()
        let late = UnsignedEvent(
            draft: DomainEvent.fieldSet(s, field: .title, value: "late", base: []).draft, dataset: dataset, author: Self.alice.author,
            seq: head.envelope.seq + 1, prev: head.id, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: Self.alice)
        let out = try c.log.ingest(lines: [late.wireLine])
        guard case .invalid = out[0] else { Issue.record("old key's event counted: \(out[0])"); return }
        #expect(try c.state(s)?.value(.title) == "Title")
        // Bob can still be granted by the new admin key.
        try c.authorize([.granted(key: SigningKey.fixed("carol").author, role: .editor, name: "Carol")], key: newKey)
    }

    /// A node that took a redaction before hearing that its signer was revoked before it
    /// erased the body. Once the revocation arrives the redaction counts there no more than
    /// anywhere else: the body is owed again, a peer that kept it sends it (as a sync does,
    /// asked by id), and the two nodes agree, also after a rebuild.
    @Test func aRedactionByAKeyRevokedBeforeItIsUndoneWhereItWasTaken() throws {
        let dir = TempDir()
        let a = try Self.node(dir, "a.db")
        let s = try a.existing("A/RES/71/19")
        let carol = SigningKey.fixed("carol-admin")
        try a.authorize([.granted(key: carol.author, role: .admin, name: "Carol")], key: Self.alice)
        let id = try a.set(s, .notes, .string("Call the duty officer on +41 79 555 01 23"), key: Self.bob)!
        let b = Curation(log: try EventLog(path: dir.file("b.db"), projectors: [CurationProjector()]))
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        // a revokes Carol before anything she signs; b has not heard of it yet.
        try a.revoke(carol.author, validThrough: 0, key: Self.alice)
        let redaction = UnsignedEvent(
            draft: AuthorizationEvent.redacted(target: id, reason: "erase it").draft, dataset: try a.log.datasetID()!,
            author: carol.author, seq: 1, prev: nil, time: HLCTime(millis: HybridLogicalClock.wallMillis())
        ).signed(by: carol)
        #expect(try b.log.ingest(lines: [redaction.wireLine])[0].isAccepted)
        #expect(try b.state(s)?.value(.notes) == .null)
        guard case .invalid = try a.log.ingest(lines: [redaction.wireLine])[0] else { Issue.record("not invalid on a"); return }
        #expect(try a.state(s)?.value(.notes) != .null)
        // b hears of the revocation: the body is owed, and verify says so.
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        #expect(try b.log.pendingBodyIDs() == [id])
        let report = try b.log.verify()
        #expect(report.isClean && report.pendingBodies == 1, "\(report)")
        let owed = try a.log.events(ids: b.log.pendingBodyIDs()).map(\.wireLine)
        #expect(try b.log.ingest(lines: owed).allSatisfy(\.isAccepted))
        #expect(try b.log.pendingBodyIDs().isEmpty)
        #expect(try b.state(s)?.value(.notes) == a.state(s)?.value(.notes))
        #expect(try b.digest() == a.digest())
        try b.log.rebuild()
        try a.log.rebuild()
        #expect(try b.digest() == a.digest() && b.state(s)?.value(.notes) != .null)
        // A valid admin's redaction of the same event still erases it on both.
        try a.authorize([.redacted(target: id, reason: "personal data")], key: Self.alice)
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        #expect(try b.state(s)?.value(.notes) == .null && a.state(s)?.value(.notes) == .null)
        #expect(try b.log.event(id: id)?.bodyBytes == nil && b.digest() == a.digest())
    }

    /// A revoked key (perhaps a stolen one) signs event after event of the largest size. A
    /// node that knows the revocation keeps the first 16 past the cut-off as invalid evidence
    /// and refuses the rest, so the key cannot fill its disk; a node that took more before it
    /// heard of the revocation keeps them but never sends them on.
    @Test func aRevokedKeyLeavesBoundedEvidence() throws {
        let dir = TempDir()
        let a = try Self.node(dir, "a.db")
        let s = try a.existing("A/RES/71/19")
        try a.set(s, .notes, "by bob", key: Self.bob)
        let b = Curation(log: try EventLog(path: dir.file("b.db"), projectors: [CurationProjector()]))
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        let (_, cut) = try a.revoke(Self.bob.author, key: Self.alice)
        let dataset = try a.log.datasetID()!
        let head = try #require(try a.log.chainHead(author: Self.bob.author.text))
        let filler = String(repeating: "x", count: 100_000)
        var prev = head.id
        let late = (1...40).map { k in
            let e = UnsignedEvent(
                draft: DomainEvent.fieldSet(s, field: .text, value: .string("\(k) \(filler)"), base: []).draft, dataset: dataset,
                author: Self.bob.author, seq: cut + k, prev: prev, time: HLCTime(millis: HybridLogicalClock.wallMillis())
            ).signed(by: Self.bob)
            prev = e.id
            return e.wireLine
        }
        let events = try a.log.eventCount()
        let out = try a.log.ingest(lines: late)
        #expect(out.prefix(16).allSatisfy { if case .invalid = $0 { true } else { false } })
        #expect(out.dropFirst(16).allSatisfy { if case .rejected = $0 { true } else { false } })
        #expect(try a.log.eventCount() == events + 16)
        // b took all 40 before it heard of the revocation: valid then, invalid now. To a peer
        // that lacks all of them it offers the 16 within the bound only.
        #expect(try b.log.ingest(lines: late).allSatisfy(\.isAccepted))
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        var lacking = try a.log.versionVector()
        lacking.heads[Self.bob.author.text] = cut
        let offered = try b.log.missing(for: lacking, after: 0, maxEvents: 1000, maxBytes: 1 << 30).events
        #expect(offered.filter { $0.author == Self.bob.author.text }.map(\.seq) == Array(cut + 1...cut + 16))
        #expect(try a.digest() == b.digest())
    }

    @Test func redactionErasesTheBodyAndKeepsTheChainVerifiable() throws {
        let phone = "+41 79 555 01 23"
        let dir = TempDir()
        let a = try Self.node(dir, "a.db")
        let s = try a.existing("A/RES/71/19")
        let id = try a.set(s, .notes, .string("Call the duty officer on \(phone)"), key: Self.bob)!
        try a.set(s, .summary, "Unrelated", key: Self.bob)
        let b = Curation(log: try EventLog(path: dir.file("b.db"), projectors: [CurationProjector()]))
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        #expect(try b.search("duty officer").count == 1)
        #expect(throws: NotAuthorized.self) { try b.authorize([.redacted(target: id, reason: "personal data")], key: Self.bob) }
        try a.authorize([.redacted(target: id, reason: "personal data")], key: Self.alice)
        // Node c gets the body only after the redaction (it must drop it), node b gets the redaction later.
        let c = Curation(log: try EventLog(path: dir.file("c.db"), projectors: [CurationProjector()]))
        let lines = try Fixtures.lines(a.log)
        func by(_ k: SigningKey, _ ls: [[UInt8]]) -> [[UInt8]] {
            ls.filter { (try? WireFormat.verify(line: $0).get().envelope.author) == k.author.text }
        }
        let original = try Fixtures.lines(b.log)  // still holds the body
        _ = try c.log.ingest(lines: by(Self.alice, lines))  // the redaction arrives before its target
        let late = try c.log.ingest(lines: by(Self.bob, original))  // the body is dropped on arrival
        #expect(late.allSatisfy { $0.isAccepted })
        _ = try b.log.ingest(lines: lines)
        for n in [a, b, c] {
            #expect(try n.log.verify().isClean)
            #expect(try n.state(s)?.value(.notes) == .null)
            #expect(try n.state(s)?.value(.summary) == "Unrelated")
            #expect(try n.search("duty officer").isEmpty)
            #expect(try n.log.event(id: id)?.bodyBytes == nil)
            try n.log.checkpoint()
        }
        #expect(Set(try [a, b, c].map { try $0.digest() }).count == 1)
        // Sync never sends the body again: exports carry the envelope and signature only.
        #expect(!(try Fixtures.lines(b.log)).contains { String(decoding: $0, as: UTF8.self).contains(phone) })
        for f in ["a.db", "b.db", "c.db"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file(f)))
            #expect(bytes.range(of: Data(phone.utf8)) == nil, "\(f) still holds the phone number")
            if let wal = FileManager.default.contents(atPath: dir.file(f + "-wal")) { #expect(wal.range(of: Data(phone.utf8)) == nil) }
        }
        // The body table refuses deleting a body that has no redaction.
        #expect(throws: DatabaseError.self) {
            try a.log.pool.write { db in try db.execute(sql: "DELETE FROM bodies WHERE pos = (SELECT max(pos) FROM bodies)") }
        }
    }
}
