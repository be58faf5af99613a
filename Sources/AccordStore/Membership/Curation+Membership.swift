public import AccordCore
import Foundation
import GRDB
import Synchronization

/// Membership changes whose rules are the library's, not a command's: a revocation's
/// default cut-off and a key rotation. Each reads what it decides from inside the write
/// transaction that signs it.
extension Curation {
    /// Revokes `member`: its events up to seq `validThrough` stay valid, later ones are
    /// invalid on every node. By default the cut-off is the highest seq this node holds for
    /// the key; a key revoking itself stays valid through the revocation, its own next event.
    /// Returns the revocation's id and the cut-off.
    @discardableResult
    public func revoke(_ member: AuthorKey, validThrough: Int? = nil, key signer: SigningKey) throws -> (id: String, validThrough: Int) {
        if let v = validThrough, v < 0 { throw InvalidInput("a cut-off is a seq of the member's chain: 0 or more") }
        // Decided inside the write transaction, read after it.
        let cut = Mutex(0)
        let ids = try sign(key: signer) { db in
            let held = try Self.highestSeq(db, member.text)
            let through = validThrough ?? (signer.author == member ? held + 1 : held)
            cut.withLock { $0 = through }
            return [AuthorizationEvent.revoked(key: member, validThroughSeq: through).draft]
        }
        return (ids[0], cut.withLock { $0 })
    }

    /// Replaces `old` with `new`: `new` gets `old`'s name and role, and `old` is revoked after
    /// its last event. Signed by `old` when it is an admin (its grant and revocation are then
    /// its own last two events), else by `admin`.
    public func rotate(_ old: SigningKey, to new: SigningKey, admin: SigningKey? = nil) throws {
        let signer = admin ?? old
        _ = try sign(key: signer) { db in
            guard let me = try MembershipBook.state(db).members[old.author.text], me.validThroughSeq == nil else {
                throw NotAuthorized("\(old.author.text) is not a member of this dataset")
            }
            let last = try Self.highestSeq(db, old.author.text)
            let cut: Int
            if signer.author == old.author {
                guard me.role == .admin else { throw RotationNeedsAnAdmin(key: old.author.text) }
                cut = last + 2
            } else {
                cut = last
            }
            return [
                AuthorizationEvent.granted(key: new.author, role: me.role, name: me.name).draft,
                AuthorizationEvent.revoked(key: old.author, validThroughSeq: cut).draft,
            ]
        }
    }

    static func highestSeq(_ db: Database, _ author: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM events WHERE author = ?"), arguments: [author]) ?? 0
    }
}

/// An editor's key cannot rotate itself: an admin signs the rotation.
public struct RotationNeedsAnAdmin: Error, CustomStringConvertible, Sendable {
    public let key: String
    public var description: String { "\(key) is an editor's key: an admin signs its rotation" }
}
