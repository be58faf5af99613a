import AccordCore
import Foundation
import GRDB

extension EventLog {
    /// Records a membership fact or a redaction and carries out its consequences: the
    /// members are re-folded and events whose validity changed are re-marked in every
    /// read model; a redaction erases the target's body and what the read models took from it.
    func applyAuthorization(
        _ a: AuthorizationEvent, event e: SignedEvent, valid: Bool, membership: MembershipState, db: Database
    ) throws
        -> MembershipState
    {
        let env = e.envelope
        switch a {
        case .granted, .revoked:
            try MembershipBook.recordFact(
                db, id: e.id, author: env.author, seq: env.seq, time: env.timeText, body: e.body!, type: env.type, subject: env.subject)
            return try refold(from: membership, author: env.author, db: db)
        case .redacted(let target, _):
            guard valid else { return membership }
            try settleRedaction(of: target, db: db)
            return membership
        }
    }

    /// Folds the membership again after its facts or the fork evidence changed and, when it
    /// differs from `membership`, re-marks the events whose validity changed in every read
    /// model (and the redactions among them).
    func refold(from membership: MembershipState, author: String, db: Database) throws -> MembershipState {
        let next = try MembershipBook.state(db)
        guard next != membership else { return next }
        var authors = Set(next.members.keys).union(membership.members.keys)
        authors.insert(author)
        try rejudge(next, authors: authors, db: db)
        return next
    }

    /// Writes `state`'s members and re-marks the events of `authors` (nil: every author)
    /// whose validity it changes, in every read model, and the redactions among them.
    func rejudge(_ state: MembershipState, authors: Set<String>?, db: Database) throws {
        try MembershipBook.writeMembers(db, state)
        let (invalidated, revalidated) = try MembershipBook.reconcile(db, state: state, authors: authors)
        for p in projectors {
            if !invalidated.isEmpty { try p.setValidity(invalidated, valid: false, db: db) }
            if !revalidated.isEmpty { try p.setValidity(revalidated, valid: true, db: db) }
        }
        try settleRedactions(of: invalidated + revalidated, db: db)
    }

    /// After a migration that changes what counts (`v10-fork-stamp`: the fork rule), every
    /// event's validity is judged again, once, in every read model.
    func rejudgeIfAsked() throws {
        guard try pool.read({ db in try Self.meta(db, "refold") }) != nil else { return }
        try pool.write { db in
            try rejudge(try MembershipBook.state(db), authors: nil, db: db)
            try db.execute(sql: "DELETE FROM meta WHERE key = 'refold'")
        }
    }
}
