import AccordCore
import Foundation
import Testing

/// The transparency log's formats against others' data: the RFC 6962 proof vectors of
/// transparency-dev/merkle (Fixtures/tlog, with its LICENSE: 98 inclusion and 98 consistency
/// cases, the `wantErr` ones refused) and the signed-note example of Go's reference
/// implementation (golang.org/x/mod/sumdb/note).
@Suite struct TransparencyTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tlog")

    static func cases(_ kind: String) throws -> [(String, JSONValue)] {
        let root = fixtures.appendingPathComponent(kind)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        return try files.map { f in
            (f.path.replacingOccurrences(of: root.path + "/", with: ""), try JSONParser.parse([UInt8](Data(contentsOf: f))))
        }
    }

    static func hash(_ v: JSONValue?) -> Merkle.Hash { v?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? [] }

    @Test func inclusionProofsAreCheckedAsRFC6962SaysEveryBadOneRefused() throws {
        let cases = try Self.cases("inclusion")
        #expect(cases.count == 98)
        var refused = 0
        for (name, c) in cases {
            let wantErr = c["wantErr"] == true
            let proof = (c["proof"]?.arrayValue ?? []).map { Self.hash($0) }
            let outcome = Result { () throws(ProofError) in
                try Merkle.verifyInclusion(
                    index: c["leafIdx"]?.intValue ?? -1, size: c["treeSize"]?.intValue ?? -1, leafHash: Self.hash(c["leafHash"]),
                    proof: proof, root: Self.hash(c["root"]))
            }
            if case .failure = outcome { refused += 1 }
            #expect((try? outcome.get()) == nil ? wantErr : !wantErr, "\(name)")
        }
        #expect(refused > 0 && refused < cases.count)
    }

    @Test func consistencyProofsAreCheckedAsRFC6962SaysEveryBadOneRefused() throws {
        let cases = try Self.cases("consistency")
        #expect(cases.count == 98)
        for (name, c) in cases {
            let wantErr = c["wantErr"] == true
            let proof = (c["proof"]?.arrayValue ?? []).map { Self.hash($0) }
            let outcome = Result { () throws(ProofError) in
                try Merkle.verifyConsistency(
                    size1: c["size1"]?.intValue ?? -1, size2: c["size2"]?.intValue ?? -1, proof: proof, root1: Self.hash(c["root1"]),
                    root2: Self.hash(c["root2"]))
            }
            #expect((try? outcome.get()) == nil ? wantErr : !wantErr, "\(name): \(outcome)")
        }
    }

    /// Proofs made from stored complete subtrees verify for every leaf and every pair of sizes
    /// of a tree grown one leaf at a time, and the roots are the roots of the leaves.
    @Test func proofsFromStoredSubtreesVerifyAndRootsMatch() throws {
        var stored: [String: Merkle.Hash] = [:]
        func read(_ level: Int, _ index: Int) throws -> Merkle.Hash {
            guard let h = stored["\(level)/\(index)"] else { throw ProofError("missing \(level)/\(index)") }
            return h
        }
        var leaves: [Merkle.Hash] = []
        var roots: [Merkle.Hash] = [Merkle.emptyRoot]
        for n in 0..<70 {
            let leaf = Merkle.leafHash(Array(SHA256Like.bytes(n)))
            leaves.append(leaf)
            let new = try Merkle.storedHashes(appending: leaf, at: n, stored: read)
            for h in new { stored["\(h.level)/\(h.index)"] = h.hash }
            roots.append(try Merkle.root(size: n + 1, stored: read))
            #expect(roots[n + 1] == Merkle.root(leafHashes: leaves))
        }
        #expect(stored.count < 2 * leaves.count)
        for size in 1...70 {
            for i in 0..<size {
                let proof = try Merkle.inclusionProof(index: i, size: size, stored: read)
                try Merkle.verifyInclusion(index: i, size: size, leafHash: leaves[i], proof: proof, root: roots[size])
                #expect(throws: ProofError.self) {
                    try Merkle.verifyInclusion(index: i, size: size, leafHash: leaves[(i + 1) % 70], proof: proof, root: roots[size])
                }
            }
            for from in 1...size {
                let proof = try Merkle.consistencyProof(from: from, to: size, stored: read)
                try Merkle.verifyConsistency(size1: from, size2: size, proof: proof, root1: roots[from], root2: roots[size])
                if from < size {
                    #expect(throws: ProofError.self) {
                        try Merkle.verifyConsistency(
                            size1: from, size2: size, proof: proof, root1: roots[from == 1 ? 2 : from - 1], root2: roots[size])
                    }
                }
            }
        }
    }

    static let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let note =
        text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    /// The reference example byte for byte: key id, key encodings, the signature (Ed25519 is
    /// deterministic), and verification; a changed text or signature is refused.
    @Test func signedNotesMatchTheReferenceExample() throws {
        let verifier = try NoteVerifier(vkey: Self.vkey)
        #expect(verifier.name == "PeterNeumann" && verifier.keyID == 0xc74f_20a3 && verifier.vkey == Self.vkey)
        let signer = try NoteSigner(skey: Self.skey)
        #expect(signer.verifier == verifier)
        let signed = SignedNote.sign(text: Self.text, with: [signer])
        #expect(String(decoding: signed.bytes, as: UTF8.self) == Self.note)
        let read = try SignedNote(parsing: Array(Self.note.utf8))
        #expect(read == signed)
        #expect(try read.verified(by: [verifier]) == [verifier])

        var changed = read
        changed.text = changed.text.replacingOccurrences(of: "answer", with: "answers")
        #expect(throws: NoteError.self) { try changed.verified(by: [verifier]) }
        let other = try NoteVerifier(name: "PeterNeumann", publicKey: SigningKey.fixed("other").author.raw)
        #expect(throws: NoteError.self) { try read.verified(by: [other]) }
        for bad in [
            Self.text, Self.text + "\n", Self.note.replacingOccurrences(of: "— ", with: "-- "),
            Self.note.replacingOccurrences(of: "problem,", with: "problem,\u{7}"), Self.text + "\n— Peter Neumann AAAA\n",
        ] {
            #expect(throws: NoteError.self, "\(bad)") { try SignedNote(parsing: Array(bad.utf8)) }
        }
        #expect(throws: NoteError.self) { try NoteVerifier(vkey: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") }
    }

    /// A checkpoint, signed by its origin's key and cosigned by a witness (c2sp.org/tlog-cosignature):
    /// the cosignature carries its time and verifies only for that time and text.
    @Test func checkpointsAndCosignaturesRoundTrip() throws {
        let checkpoint = Checkpoint(origin: "accord.example/hub", size: 20_852_163, root: Array(repeating: 7, count: 32))
        let log = try NoteSigner(name: checkpoint.origin, key: SigningKey.fixed("cp-log"))
        let witness = try NoteSigner(name: "witness.example/w1", key: SigningKey.fixed("cp-witness"), type: NoteVerifier.cosignature)
        let note = SignedNote.sign(text: checkpoint.text, with: [log, witness], time: 1_679_315_147)
        let read = try SignedNote(parsing: note.bytes)
        #expect(try Checkpoint(text: read.text) == checkpoint)
        #expect(try read.verified(by: [log.verifier, witness.verifier]) == [log.verifier, witness.verifier])
        #expect(Cosignature.time(of: read.signatures[1]) == 1_679_315_147)
        // The witness's key as a note key (type 0x01) has another key id: it is not taken for one.
        let wrongType = try NoteVerifier(name: witness.verifier.name, publicKey: witness.verifier.publicKey)
        #expect(throws: NoteError.self) { try read.verified(by: [wrongType]) }
        // A replayed cosignature with another time does not verify.
        var replayed = read
        var bytes = replayed.signatures[1].bytes
        bytes[7] ^= 1
        replayed.signatures[1] = .init(name: witness.verifier.name, keyID: witness.verifier.keyID, bytes: bytes)
        #expect(throws: NoteError.self) { try replayed.verified(by: [witness.verifier]) }
        for bad in ["origin\n12\n", "origin\n012\nAAAA\n", "origin\n-1\n\(Data(count: 32).base64EncodedString())\n"] {
            #expect(throws: NoteError.self, "\(bad)") { try Checkpoint(text: bad) }
        }
    }
}

/// Distinct leaf data for tests.
enum SHA256Like {
    static func bytes(_ n: Int) -> [UInt8] { Array("leaf \(n)".utf8) }
}
