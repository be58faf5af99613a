import AccordCore
import Foundation
import Testing

/// What a client makes of a peer's checkpoint (pure; no I/O): every way a log can lie is a
/// verdict of evidence, and the honest ways it changes are not.
@Suite struct PeerLogJudgeTests {
    /// A tree of `n` leaves as a peer keeps it, and its roots at every size.
    struct Tree {
        var stored: [String: Merkle.Hash] = [:]
        var roots: [Merkle.Hash] = [Merkle.emptyRoot]
        init(leaves: [String]) throws {
            for (n, leaf) in leaves.enumerated() {
                let s = stored
                for h in try Merkle.storedHashes(appending: Merkle.leafHash(Array(leaf.utf8)), at: n, stored: { try Self.read(s, $0, $1) })
                {
                    stored["\(h.level)/\(h.index)"] = h.hash
                }
                let s2 = stored
                roots.append(try Merkle.root(size: n + 1) { try Self.read(s2, $0, $1) })
            }
        }
        static func read(_ s: [String: Merkle.Hash], _ level: Int, _ index: Int) throws -> Merkle.Hash {
            guard let h = s["\(level)/\(index)"] else { throw ProofError("missing") }
            return h
        }
        func proof(_ from: Int, _ to: Int) throws -> [Merkle.Hash] {
            try Merkle.consistencyProof(from: from, to: to) { try Self.read(stored, $0, $1) }
        }
    }

    let origin = "accord/0123456789abcdef/fedcba9876543210/e1"

    func checkpoint(_ tree: Tree, _ size: Int, epoch: Int = 1) -> Checkpoint {
        Checkpoint(origin: String(origin.dropLast()) + String(epoch), size: size, root: tree.roots[size])
    }

    @Test func honestChangesAreNotEvidence() throws {
        let tree = try Tree(leaves: (0..<20).map { "event \($0)" })
        #expect(PeerLogJudge.judge(held: nil, new: checkpoint(tree, 7), proof: nil) == .first)
        #expect(PeerLogJudge.judge(held: checkpoint(tree, 7), new: checkpoint(tree, 7), proof: nil) == .unchanged)
        let needed = try #require(PeerLogJudge.proofNeeded(held: checkpoint(tree, 7), new: checkpoint(tree, 20)))
        #expect(needed == (7, 20))
        #expect(PeerLogJudge.judge(held: checkpoint(tree, 7), new: checkpoint(tree, 20), proof: try tree.proof(7, 20)) == .grew(from: 7))
        #expect(PeerLogJudge.judge(held: checkpoint(tree, 0), new: checkpoint(tree, 20), proof: nil) == .grew(from: 0))
        // A restore through Accord: the next epoch, whatever its size.
        let restored = try Tree(leaves: (0..<5).map { "event \($0)" })
        #expect(
            PeerLogJudge.judge(held: checkpoint(tree, 20), new: checkpoint(restored, 5, epoch: 2), proof: nil)
                == .newEpoch(from: 1, heldSize: 20))
        #expect(PeerLogJudge.proofNeeded(held: checkpoint(tree, 20), new: checkpoint(restored, 5, epoch: 2)) == nil)
    }

    @Test func everyRewriteIsEvidence() throws {
        let tree = try Tree(leaves: (0..<20).map { "event \($0)" })
        // The same first 10, then other events: a database copied back, then other edits.
        let rewritten = try Tree(leaves: (0..<10).map { "event \($0)" } + (0..<15).map { "other \($0)" })
        let held = checkpoint(tree, 15)
        // It grew, but not from the tree held: its own proof cannot show it did.
        #expect(PeerLogJudge.judge(held: held, new: checkpoint(rewritten, 25), proof: try rewritten.proof(15, 25)).isEvidence)
        #expect(PeerLogJudge.judge(held: held, new: checkpoint(rewritten, 25), proof: nil).isEvidence)
        #expect(PeerLogJudge.judge(held: held, new: checkpoint(rewritten, 25), proof: []).isEvidence)
        // Gone back in one epoch, or the same size with another root, or an older epoch.
        #expect(PeerLogJudge.judge(held: held, new: checkpoint(tree, 10), proof: nil).isEvidence)
        #expect(PeerLogJudge.judge(held: held, new: checkpoint(rewritten, 15), proof: nil).isEvidence)
        #expect(PeerLogJudge.judge(held: checkpoint(tree, 3, epoch: 2), new: checkpoint(tree, 20, epoch: 1), proof: nil).isEvidence)
        // A proof for other sizes than asked does not pass.
        #expect(PeerLogJudge.judge(held: held, new: checkpoint(tree, 20), proof: try tree.proof(14, 20)).isEvidence)
    }

    @Test func originsAreReadStrictly() throws {
        let o = try LogOrigin(parsing: origin)
        #expect(o.family == "accord/0123456789abcdef/fedcba9876543210" && o.epoch == 1 && o.node == "fedcba9876543210")
        for bad in [
            "accord/0123456789abcdef/fedcba9876543210/e0", "accord/0123456789abcdef/fedcba9876543210/e01",
            "accord/0123456789abcdef/fedcba98765432/e1", "accord/0123456789abcdeg/fedcba9876543210/e1",
            "other/0123456789abcdef/fedcba9876543210/e1", "accord/0123456789abcdef/fedcba9876543210/e1/x",
            "accord/0123456789abcdef/fedcba9876543210/e99999999999", "accord/0123456789abcdef/fedcba9876543210/\u{1b}[31m",
        ] {
            #expect(throws: NoteError.self, "\(bad)") { try LogOrigin(parsing: bad) }
        }
    }

    @Test func aPeersCheckpointMustBeSignedByTheKeyItsOriginNames() throws {
        let key = SigningKey.generate()
        let origin = "accord/0123456789abcdef/\(Hex.encode(key.author.raw.prefix(8)))/e1"
        let text = Checkpoint(origin: origin, size: 3, root: Array(repeating: 7, count: 32)).text
        let note = SignedNote.sign(text: text, with: [try NoteSigner(name: origin, key: key)])
        let vkey = try NoteVerifier(name: origin, publicKey: key.author.raw).vkey
        let seen = try PeerCheckpoint(note: note.bytes, vkey: vkey + "\n")
        #expect(seen.checkpoint.size == 3 && seen.origin.epoch == 1)
        // Another key, named as the origin: its origin names another node.
        let other = SigningKey.generate()
        let forged = SignedNote.sign(text: text, with: [try NoteSigner(name: origin, key: other)])
        let otherVkey = try NoteVerifier(name: origin, publicKey: other.author.raw).vkey
        #expect(throws: NoteError.self) { try PeerCheckpoint(note: forged.bytes, vkey: otherVkey) }
        // The right key, but a note it did not sign (one byte of the text changed).
        var tampered = note.bytes
        tampered[tampered.firstIndex(of: UInt8(ascii: "3"))!] = UInt8(ascii: "4")
        #expect(throws: NoteError.self) { try PeerCheckpoint(note: tampered, vkey: vkey) }
        // A key named otherwise than the checkpoint's origin.
        let elsewhere = try NoteVerifier(
            name: "accord/0123456789abcdef/\(Hex.encode(key.author.raw.prefix(8)))/e2", publicKey: key.author.raw)
        #expect(throws: NoteError.self) { try PeerCheckpoint(note: note.bytes, vkey: elsewhere.vkey) }
    }

    @Test func tilePathsAreC2SPsAndNothingElse() throws {
        for (text, level, index, count) in [
            ("0/000", 0 as Int?, 0, 256), ("0/x001/x234/067", 0, 1_234_067, 256), ("1/000.p/17", 1, 0, 17),
            ("entries/x001/000.p/255", nil, 1000, 255), ("5/999", 5, 999, 256),
        ] {
            let t = try TilePath(parsing: text)
            #expect(t == TilePath(level: level, index: index, count: count), "\(text)")
            #expect(t.path == text)
        }
        for bad in [
            "0/1", "0/0001", "6/000", "0/000.p/0", "0/000.p/256", "0/000.p/017", "0/x01/000", "../etc/passwd", "0/-01", "0/000/",
            "entries/000.p/1/2", "0/001/002", "00/000", "0", "0/x999/x999/x999/x999/x999/x999/x999/999", "0/٠٠٠",
        ] {
            #expect(throws: DomainError.self, "\(bad)") { try TilePath(parsing: bad) }
        }
    }
}

/// c2sp.org/tlog-witness requests, the witness's decision, and the policy a client applies to
/// cosignatures (pure).
@Suite struct WitnessRuleTests {
    let tree: PeerLogJudgeTests.Tree
    let origin = "accord/0123456789abcdef/fedcba9876543210/e1"

    init() throws { tree = try PeerLogJudgeTests.Tree(leaves: (0..<20).map { "event \($0)" }) }

    func checkpoint(_ size: Int, epoch: Int = 1) -> Checkpoint {
        Checkpoint(origin: String(origin.dropLast()) + String(epoch), size: size, root: tree.roots[size])
    }

    @Test func addCheckpointRequestsAreReadStrictly() throws {
        let request = Witness.AddCheckpoint(oldSize: 7, proof: try tree.proof(7, 20), note: Array("a\n\n— b c\n".utf8))
        #expect(try Witness.AddCheckpoint(parsing: request.body) == request)
        for bad in [
            "old 7\n", "old -1\n\nnote", "old 07\n\nnote", "new 7\n\nnote", "old 7\nnot base64!\n\nnote",
            "old 7\n" + String(repeating: Data(repeating: 1, count: 32).base64EncodedString() + "\n", count: 64) + "\nnote",
        ] {
            #expect(throws: NoteError.self, "\(bad.prefix(30))") { try Witness.AddCheckpoint(parsing: Array(bad.utf8)) }
        }
    }

    @Test func theWitnessCoSignsOnlyWhatExtendsWhatItHolds() throws {
        #expect(Witness.decide(held: nil, oldSize: 0, proof: [], new: checkpoint(7)) == .cosign)
        #expect(Witness.decide(held: nil, oldSize: 5, proof: [], new: checkpoint(7)) == .conflict(heldSize: 0))
        #expect(Witness.decide(held: checkpoint(7), oldSize: 7, proof: try tree.proof(7, 20), new: checkpoint(20)) == .cosign)
        #expect(Witness.decide(held: checkpoint(7), oldSize: 7, proof: [], new: checkpoint(7)) == .cosign)
        #expect(
            Witness.decide(held: checkpoint(7), oldSize: 5, proof: try tree.proof(5, 20), new: checkpoint(20)) == .conflict(heldSize: 7))
        guard case .inconsistent = Witness.decide(held: checkpoint(7), oldSize: 7, proof: try tree.proof(6, 20), new: checkpoint(20)) else {
            Issue.record("a wrong proof was co-signed")
            return
        }
        guard case .inconsistent = Witness.decide(held: checkpoint(7, epoch: 2), oldSize: 0, proof: [], new: checkpoint(20)) else {
            Issue.record("an older epoch was co-signed")
            return
        }
        #expect(Witness.decide(held: checkpoint(7), oldSize: 0, proof: [], new: checkpoint(3, epoch: 2)) == .cosign)
        guard case .malformed = Witness.decide(held: checkpoint(7), oldSize: 9, proof: [], new: checkpoint(8)) else {
            Issue.record("an old size beyond the checkpoint was taken")
            return
        }
    }

    @Test func forgedReplayedStaleAndMissingCosignaturesAreRefused() throws {
        let witness = Witness.signer(SigningKey.fixed("policy-witness"))
        let policy = WitnessPolicy(witnesses: [witness.verifier], quorum: 1, maxAge: 600)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let text = checkpoint(20).text
        let hub = SigningKey.fixed("policy-hub")
        let own = SignedNote.sign(text: text, with: [try NoteSigner(name: origin, key: hub)]).signatures
        func note(_ cosignatures: [SignedNote.Signature]) -> SignedNote { SignedNote(text: text, signatures: own + cosignatures) }
        let fresh = witness.signature(over: Array(text.utf8), time: UInt64(now.timeIntervalSince1970) - 10)
        #expect(policy.refusal(note([fresh]), now: now) == nil)
        #expect(policy.refusal(note([]), now: now)?.contains("no witness") == true)
        var forged = fresh.bytes
        forged[20] ^= 1
        #expect(
            policy.refusal(note([.init(name: fresh.name, keyID: fresh.keyID, bytes: forged)]), now: now)?.contains("does not verify")
                == true)
        let replayed = witness.signature(over: Array(checkpoint(19).text.utf8), time: UInt64(now.timeIntervalSince1970))
        #expect(policy.refusal(note([replayed]), now: now)?.contains("does not verify") == true)
        let stale = witness.signature(over: Array(text.utf8), time: UInt64(now.timeIntervalSince1970) - 3600)
        #expect(policy.refusal(note([stale]), now: now)?.contains("frozen view") == true)
        let ahead = witness.signature(over: Array(text.utf8), time: UInt64(now.timeIntervalSince1970) + 3600)
        #expect(policy.refusal(note([ahead]), now: now) != nil)
        #expect(WitnessPolicy(witnesses: [witness.verifier], quorum: 0).refusal(note([]), now: now) == nil)
    }
}
