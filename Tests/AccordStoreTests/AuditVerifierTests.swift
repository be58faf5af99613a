import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

/// The auditor's bundle judged for authority: a stranger's or an editor's signature where an
/// admin's is needed is refused, and what a revoked key left as evidence is counted, not refused.
/// (The tamper set, through both verifiers, is `AuditBundleTests`.)
@Suite struct AuditVerifierTests {
    static func bundle(_ log: EventLog) throws -> [[UInt8]] {
        try log.signCheckpoint(with: Fixtures.alice, interval: 0)
        guard let (note, vkey) = try log.auditCheckpoint() else { throw StoreTestFailure("no checkpoint") }
        var out: [UInt8] = []
        _ = try log.exportAudit(checkpoint: note, logKey: vkey) { out += $0 }
        return out.split(separator: 0x0A).map { Array($0) }
    }

    static func verify(_ lines: [[UInt8]]) -> Result<AuditReport, AuditFailure> {
        AuditVerifier.verify(lines.flatMap { $0 + [0x0A] })
    }

    static func failure(_ lines: [[UInt8]]) -> String {
        if case .failure(let f) = verify(lines) { return f.description }
        return "verified"
    }

    static func envelope(_ line: [UInt8]) throws -> (id: String, dataset: String?, seq: Int) {
        guard case .object(let m) = try JSONParser.parse(line), let env = m["envelope"] else { throw StoreTestFailure("no envelope") }
        return (ContentHash.sha256Hex(env.canonicalBytes), env["dataset"]?.stringValue, env["seq"]?.intValue ?? 0)
    }

    static func line(_ e: SignedEvent) -> [UInt8] {
        Array(AuditBundle.eventLine(envelope: e.envelopeBytes, signature: e.signature, body: e.bodyBytes, redactedBy: nil).dropLast())
    }

    @Test func aStrangerOrAnEditorSigningForAnAdminIsRefused() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        _ = try log.author([Fixtures.note(1)], key: Fixtures.bob)
        let lines = try Self.bundle(log)
        guard case .success(let report) = Self.verify(lines) else { Issue.record("\(Self.failure(lines))"); return }
        #expect(report.lines.contains { $0.contains("member: Bob (editor)") })

        let last = try Self.envelope(lines.last!)
        let dataset = try #require(last.dataset)
        var stranger = ChainSigner(key: SigningKey.fixed("a stranger"), dataset: dataset)
        #expect(Self.failure(lines + [Self.line(stranger.sign(Fixtures.note(2)))]).contains("who was no member then"))

        var bob = ChainSigner(key: Fixtures.bob, dataset: dataset, seq: last.seq, prev: last.id)
        let grant = AuthorizationEvent.granted(key: SigningKey.fixed("a friend").author, role: .admin, name: "Friend").draft
        #expect(Self.failure(lines + [Self.line(bob.sign(grant))]).contains("who was an editor, not an admin"))
    }

    @Test func whatARevokedKeyLeftIsCountedAsEvidence() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir)
        _ = try log.author([Fixtures.note(1)], key: Fixtures.bob)
        let mine = try Self.envelope(try Fixtures.lines(log).last!)
        _ = try log.author([AuthorizationEvent.revoked(key: Fixtures.bob.author, validThroughSeq: 1).draft], key: Fixtures.alice)
        // Bob signs on after his revocation; the node keeps it as evidence without effect.
        var bob = ChainSigner(key: Fixtures.bob, dataset: mine.dataset!, seq: mine.seq, prev: mine.id)
        _ = try log.ingest(lines: [bob.sign(Fixtures.note(2)).wireLine])
        let lines = try Self.bundle(log)
        guard case .success(let report) = Self.verify(lines) else { Issue.record("\(Self.failure(lines))"); return }
        #expect(report.lines.contains { $0.contains("1 held as evidence past a revocation") }, "\(report.lines)")
        #expect(report.lines.contains { $0.contains("Bob (editor)") && $0.contains("revoked after seq 1") })
    }
}

struct StoreTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
