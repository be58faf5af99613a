import AccordCore
import AccordStore
import Foundation
import Testing

/// The auditor's bundle (issue: a history no node can rewrite unseen): `accord export --audit`
/// from a node with an editor, a revocation, a redaction and a witness's cosignature;
/// `accord audit verify` accepts it, and a shared tamper set fails in `accord audit verify`
/// and in the offline verifier page in Chromium (from `file://`) with the same first failure.
@Suite struct AuditBundleTests {
    struct Tamper {
        let name: String
        /// A word the first failure must hold, so that each case fails for its own reason.
        let expect: String
        let apply: ([[UInt8]]) throws -> [[UInt8]]
    }

    @Test func theTamperSetFailsAlikeInTheCommandAndInThePage() async throws {
        let problems = try await CLI.onOwnThread(Self.scenario)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    static func scenario() throws -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ what: String) { if !ok { problems.append(what) } }
        let cli = CLI()
        defer { cli.remove() }
        func run(_ args: [String]) throws -> CLI.Result { try cli.runBlocking(args) }
        func ok(_ args: [String]) throws -> String {
            let r = try run(args)
            guard r.status == 0 else { throw TestFailure("accord \(args.joined(separator: " ")) failed: \(r.stderr)") }
            return r.stdout
        }
        let db = cli.path("hub.db")
        let admin = try BrowserTests.keygen(cli, "admin.key")
        let editor = try BrowserTests.keygen(cli, "editor.key")
        _ = try ok(["init", "--seed", "--db", db, "--key", admin, "--creator", "Ada Admin"])
        let editorKey = try ok(["whoami", "--key", editor]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try ok(["grant", editorKey, "--name", "Eve Editor", "--db", db, "--key", admin])
        _ = try ok(["set", "A/RES/71/19", "notes", "a phone number to erase", "--db", db, "--key", editor])
        _ = try ok(["set", "A/RES/73/11", "notes", "reviewed", "--db", db, "--key", editor])
        _ = try ok(["revoke", editorKey, "--db", db, "--key", admin])
        let everything = try String(contentsOfFile: try exportLog(cli, db), encoding: .utf8).split(separator: "\n")
        let toErase = try everything.first { $0.contains("a phone number to erase") }.map { try Self.id(ofLine: Array($0.utf8)) }
        guard let toErase else { throw TestFailure("the editor's edit is not in the log") }
        _ = try ok(["redact", toErase, "--reason", "personal data", "--db", db, "--key", admin])

        // A witness co-signs the node's checkpoint (as a replica does at the end of a sync).
        _ = try ok(["log", "checkpoint", "--db", db, "--key", admin])
        let witness = SigningKey.generate()
        do {
            let log = try EventLog(path: db)
            guard let note = try log.latestCheckpoint() else { throw TestFailure("no checkpoint") }
            let signer = Witness.signer(witness)
            let cosigned = SignedNote(text: note.text, signatures: [signer.signature(over: Array(note.text.utf8), time: 1_800_000_000)])
            check(try log.addCosignatures(cosigned, witnesses: [signer.verifier]) == 1, "the witness's cosignature was not kept")
        }

        let bundle = cli.path("bundle.ndjson")
        _ = try ok(["export", "--audit", "--db", db, "--out", bundle])
        let verified = try ok(["audit", "verify", bundle])
        check(verified.contains("Verified: "), "the bundle does not verify: \(verified)")
        check(verified.contains("1 witness cosignature"), "the witness's cosignature is not counted: \(verified)")
        check(verified.contains("1 erased by a valid redaction"), "the redaction is not counted: \(verified)")
        check(verified.contains("Eve Editor (editor)") && verified.contains("revoked after seq"), "the members are not told: \(verified)")
        check(
            !(try String(contentsOfFile: bundle, encoding: .utf8)).contains("a phone number to erase"), "the erased body is in the bundle")
        let verdict = verified.split(separator: "\n").last.map(String.init) ?? ""
        let witnessVkey = Witness.signer(witness).verifier.vkey
        check(
            (try? ok(["audit", "verify", bundle, "--witness", witnessVkey, "--quorum", "1", "--quiet"])) != nil,
            "the witness policy refuses a bundle the witness co-signed")
        let otherWitness = Witness.signer(SigningKey.generate()).verifier.vkey
        check(
            try run(["audit", "verify", bundle, "--witness", otherWitness, "--quorum", "1"]).status == 1, "a missing witness is accepted")

        // The tamper set.
        let lines = try Data(contentsOf: URL(fileURLWithPath: bundle)).split(separator: 0x0A).map { Array($0) }
        var files: [(Tamper, String, String)] = []
        for (k, t) in tampers.enumerated() {
            let path = cli.path("tamper-\(k).ndjson")
            try Data(try t.apply(lines).flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: path))
            let r = try run(["audit", "verify", path])
            let message = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            check(r.status == 1, "\(t.name): accord audit verify exits \(r.status): \(r.stdout)")
            check(message.hasPrefix("Not verified: ") && message.contains(t.expect), "\(t.name): the command says \(message)")
            files.append((t, path, message))
        }

        // The same files in the page, from file://, with no network.
        let page = cli.path("verify.html")
        _ = try ok(["export", "--audit-verifier", "--out", page])
        let version = try ok(["--version"])
        let pageHash = Self.sha256Hex(try Data(contentsOf: URL(fileURLWithPath: page)))
        check(version.contains(pageHash), "--version does not give the page's SHA-256")
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/transparency.md")
        check(
            (try String(contentsOf: docs, encoding: .utf8)).contains("sha256 \(pageHash)  verify.html"),
            "Docs/transparency.md does not give the verifier's SHA-256 \(pageHash)")
        let browser = try WebDriver(artefacts: BrowserTests.artefacts)
        defer { browser.quit() }
        func inPage(_ file: String) throws -> String {
            try browser.go("file://" + page)
            try browser.upload("#bundle", file)
            try browser.wait(for: "/^(Verified|Not verified):/.test(document.getElementById('verdict').textContent)", "the page's verdict")
            return try browser.js("return document.getElementById('verdict').textContent").stringValue ?? ""
        }
        let pageVerdict = try inPage(bundle)
        check(pageVerdict == verdict, "the page says \(pageVerdict), the command \(verdict)")
        try browser.screenshot("audit-verifier-verified")
        for (t, path, message) in files {
            let said = try inPage(path)
            check(said == message, "\(t.name): the page says \(said), the command \(message)")
        }
        try browser.screenshot("audit-verifier-refused")
        return problems
    }

    static var tampers: [Tamper] {
        [
            Tamper(name: "one byte changed in an event", expect: "does not hash to its bodyHash") { lines in
                var out = lines
                let marker = Array("\"summary\":\"".utf8)
                guard let at = find(marker, in: out[3]) else { throw TestFailure("no summary in line 4") }
                out[3][at + marker.count] ^= 0x01
                return out
            },
            Tamper(name: "a line dropped", expect: "after seq") { lines in
                var out = lines
                out.remove(at: 5)
                return out
            },
            Tamper(name: "two lines swapped", expect: "after seq") { lines in
                var out = lines
                out.swapAt(4, 5)
                return out
            },
            Tamper(name: "a line duplicated", expect: "again") { lines in
                var out = lines
                out.insert(out[5], at: 6)
                return out
            },
            Tamper(name: "the log key swapped", expect: "the log key is not the key of node") { lines in
                try header(lines) { h in
                    let note = try SignedNote(parsing: Array(h["checkpoint"]!.stringValue!.utf8))
                    let origin = try Checkpoint(text: note.text).origin
                    h["vkey"] = .string(try NoteVerifier(name: origin, publicKey: SigningKey.generate().author.raw).vkey)
                }
            },
            Tamper(name: "a cosignature forged", expect: "the cosignature of accord/witness/") { lines in
                try header(lines) { h in
                    var note = try SignedNote(parsing: Array(h["checkpoint"]!.stringValue!.utf8))
                    let last = note.signatures.count - 1
                    var bytes = note.signatures[last].bytes
                    bytes[bytes.count - 1] ^= 0x01
                    note.signatures[last] = SignedNote.Signature(
                        name: note.signatures[last].name, keyID: note.signatures[last].keyID, bytes: bytes)
                    h["checkpoint"] = .string(String(decoding: note.bytes, as: UTF8.self))
                }
            },
            Tamper(name: "an event withheld", expect: "its checkpoint covers") { lines in Array(lines.dropLast()) },
            Tamper(name: "a body removed, a redaction claimed", expect: "no redaction in the bundle erases it") { lines in
                var out = lines
                guard case .object(var e) = try JSONParser.parse(out[3]) else { throw TestFailure("line 4 is no object") }
                e["body"] = nil
                e["redacted"] = .string(try id(ofLine: out[1]))
                out[3] = JSONValue.object(e).canonicalBytes
                return out
            },
            Tamper(name: "a body removed", expect: "no redaction is named") { lines in
                var out = lines
                guard case .object(var e) = try JSONParser.parse(out[4]) else { throw TestFailure("line 5 is no object") }
                e["body"] = nil
                out[4] = JSONValue.object(e).canonicalBytes
                return out
            },
        ]
    }

    static func header(_ lines: [[UInt8]], _ change: (inout [String: JSONValue]) throws -> Void) throws -> [[UInt8]] {
        guard case .object(var h) = try JSONParser.parse(lines[0]) else { throw TestFailure("no header") }
        try change(&h)
        return [JSONValue.object(h).canonicalBytes] + lines.dropFirst()
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        return (0...(hay.count - needle.count)).first { hay[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    static func id(ofLine line: [UInt8]) throws -> String {
        guard case .object(let e) = try JSONParser.parse(line), let env = e["envelope"] else { throw TestFailure("no envelope") }
        return ContentHash.sha256Hex(env.canonicalBytes)
    }

    static func exportLog(_ cli: CLI, _ db: String) throws -> String {
        let out = cli.path("log.ndjson")
        let r = try cli.runBlocking(["export", "--db", db, "--out", out])
        guard r.status == 0 else { throw TestFailure("export failed: \(r.stderr)") }
        return out
    }

    static func sha256Hex(_ data: Data) -> String { ContentHash.sha256Hex(Array(data)) }
}
