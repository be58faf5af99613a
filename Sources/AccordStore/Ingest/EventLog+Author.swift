public import AccordCore
import Foundation
public import GRDB

extension EventLog {
    /// Local authoring: places drafts in the key's chain and hands them to the same
    /// append stage as received events, in one transaction. Three stages overlap:
    /// envelopes are built (a hash chain, so sequential), signed on every core, and
    /// appended in order. Signatures made here are not re-verified (this node just
    /// made them); everything else is checked as for received events.
    public func author(
        _ drafts: [EventDraft], key: SigningKey, wallMillis: Int64 = HybridLogicalClock.wallMillis()
    ) throws
        -> [IngestOutcome]
    {
        try author(key: key, wallMillis: wallMillis) { _ in drafts }
    }

    /// Authoring whose drafts are made inside the write transaction, from what it reads
    /// there: a check (a field in conflict, a record that exists) and the write it allows
    /// see the same state, so two edits at once cannot both pass it. No drafts: nothing.
    public func author(
        key: SigningKey, wallMillis: Int64 = HybridLogicalClock.wallMillis(), making: (Database) throws -> [EventDraft]
    ) throws -> [IngestOutcome] {
        let authored = try Self.typingStorageFull {
            try pool.write { db -> [IngestOutcome] in
                let drafts = try making(db)
                if drafts.isEmpty { return [] }
                try Self.refuseForkedKey(key, db: db)
                let dataset = try Self.meta(db, "dataset")
                if dataset == nil, drafts.first?.type != Envelope.genesisType {
                    throw NoDataset()
                }
                let head = try Self.head(db, author: key.author.text)
                if let dataset {
                    try Self.refuseNonMember(key, dataset: dataset, nextSeq: (head?.seq ?? 0) + 1, db: db)
                    try Self.checkMembershipChange(db, drafts: drafts, key: key, firstSeq: (head?.seq ?? 0) + 1)
                }
                // A stored reading beyond wall time plus the drift bound (written by an older
                // version from a poisoned event) is not followed.
                let lastTime = try Self.meta(db, "clock").flatMap(HLCTime.init).flatMap {
                    HybridLogicalClock.admits($0, wallMillis: wallMillis) ? $0 : nil
                }
                let chain = ChainPlacement(
                    dataset: dataset, author: key.author, seq: head?.seq ?? 0, prev: head?.id,
                    clock: HybridLogicalClock(last: lastTime ?? HLCTime(millis: 0)), wallMillis: wallMillis)
                return try appendAuthored(drafts, chain: chain, key: key, db: db)
            }
        }
        try scrubIfRedacted()
        return authored
    }

    /// Where the next drafts go in a key's chain: their seq, prev, time and dataset.
    struct ChainPlacement {
        var dataset: String?
        let author: AuthorKey
        var seq: Int
        var prev: String?
        var clock: HybridLogicalClock
        let wallMillis: Int64

        /// Places drafts after the last one placed. A curation body carries a random salt, so
        /// an erased body cannot be guessed from its hash.
        mutating func place(_ drafts: ArraySlice<EventDraft>) -> [UnsignedEvent] {
            drafts.map { draft in
                let d = draft.salted()
                let isGenesis = d.type == Envelope.genesisType
                let u = UnsignedEvent(
                    draft: d, dataset: isGenesis ? nil : dataset, author: author, seq: seq + 1, prev: prev,
                    time: clock.tick(wallMillis: wallMillis))
                if isGenesis && dataset == nil { dataset = u.id }
                seq += 1
                prev = u.id
                return u
            }
        }
    }

    /// Three stages overlap: envelopes are placed (a hash chain, so sequential), signed on
    /// every core, and appended in order, in the caller's transaction.
    func appendAuthored(_ drafts: [EventDraft], chain: ChainPlacement, key: SigningKey, db: Database) throws -> [IngestOutcome] {
        let chunk = 256
        let projection = PendingProjection(projectors)
        var outcomes: [IngestOutcome] = []
        outcomes.reserveCapacity(drafts.count)
        try OrderedPipeline.run(
            produce: { emit in
                var chain = chain
                var start = 0
                while start < drafts.count {
                    let end = min(start + chunk, drafts.count)
                    guard emit(chain.place(drafts[start..<end])) else { return }
                    start = end
                }
            },
            transform: { [self] (part: [UnsignedEvent]) in
                part.map { u in Result<SignedEvent, EventRejection>.success(u.signed(by: key)).flatMap(validatePayload) }
            },
            consume: { signed in outcomes += try appendChecked(signed, db: db, projection: projection) })
        try projection.flush(db: db)
        return outcomes
    }

    /// One key, one chain: once this node has seen the key sign two different events with
    /// one seq, anything more it signs would extend a branch other nodes refuse.
    static func refuseForkedKey(_ key: SigningKey, db: Database) throws {
        guard let seq = try Int.fetchOne(db, sql: "SELECT min(seq) FROM forks WHERE author = ?", arguments: [key.author.text]) else {
            return
        }
        let admins = try MembershipBook.state(db).activeAdmins.map(\.key)
        // The fork also ended the key's own authority (`ForkRule`): no other admin, no grant.
        if admins.allSatisfy({ $0 == key.author.text }) {
            throw NotAuthorized(
                "\(key.author.text) signed two different events with seq \(seq) (the key is used on two nodes), so this node no longer signs with it; "
                    + "it was the dataset's only admin, so no other key can be granted: the dataset cannot take membership changes any more. "
                    + "To go on, start a new dataset from the records (`accord export-records`, then `accord init --seed --seed-file FILE` for a new node) with one key per node (`accord forks` shows the evidence)"
            )
        }
        throw NotAuthorized(
            "\(key.author.text) signed two different events with seq \(seq) (the key is used on two nodes), so this node no longer signs with it; "
                + "make a key for this node (`accord keygen --out FILE`), have an admin run `accord grant NEWKEY --role ROLE --name NAME`, "
                + "then sign with --key FILE (`accord forks` shows the evidence)")
    }

    /// A key that may not sign its next seq in the dataset is refused before anything is signed.
    static func refuseNonMember(_ key: SigningKey, dataset: String, nextSeq: Int, db: Database) throws {
        switch try MembershipBook.state(db).authorize(key.author.text, seq: nextSeq) {
        case .valid: return
        case .notMember:
            throw NotAuthorized(
                "\(key.author.text) is not a member of dataset \(dataset); an admin grants access with `accord grant \(key.author.text) --role editor --name NAME`"
            )
        case .revoked(let n):
            throw NotAuthorized("\(key.author.text) was revoked after its seq \(n) in dataset \(dataset); it can no longer sign edits")
        }
    }

    /// Refuses grants and revocations that would have no effect, not the effect they say,
    /// or leave the dataset without an admin, and redactions of events that say who may
    /// write (`RedactionRule`), before anything is signed.
    static func checkMembershipChange(_ db: Database, drafts: [EventDraft], key: SigningKey, firstSeq: Int) throws {
        for d in drafts where d.type == AuthorizationEvent.Kind.redacted.rawValue {
            guard case .redacted(let target, _)? = try? AuthorizationEvent(type: d.type, schema: d.schema, subject: d.subject, body: d.body)
            else { continue }
            if let type = try String.fetchOne(db, sql: "SELECT type FROM events WHERE id = ?", arguments: [target]),
                !RedactionRule.mayErase(targetType: type)
            {
                throw EditRefused("refused before signing: \(type) events cannot be redacted: they say who may write")
            }
        }
        var proposed: [MembershipFact] = []
        for (k, d) in drafts.enumerated() {
            guard d.type == AuthorizationEvent.Kind.granted.rawValue || d.type == AuthorizationEvent.Kind.revoked.rawValue,
                let e = try? AuthorizationEvent(type: d.type, schema: d.schema, subject: d.subject, body: d.body)
            else { continue }
            // "~" sorts after every time: the proposed facts come after everything this node holds.
            proposed.append(MembershipFact(id: "proposed-\(k)", author: key.author.text, seq: firstSeq + k, time: "~", event: e))
        }
        guard !proposed.isEmpty else { return }
        let facts = try MembershipBook.facts(db)
        let genesis = try MembershipBook.genesisAuthor(db)
        let before = Membership.fold(genesisAuthor: genesis, facts: facts)
        let after = Membership.fold(genesisAuthor: genesis, facts: facts + proposed)
        if let why = MembershipChange.refusal(before: before, after: after, proposed: proposed) {
            // A key that may not change the membership at all is refused as such; an admin's
            // change that would have no effect, or leave no admin, is a refused edit.
            if !before.activeAdmins.contains(where: { $0.key == key.author.text }) {
                throw NotAuthorized("refused before signing: " + why)
            }
            throw EditRefused("refused before signing: " + why)
        }
    }
}
