import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

/// Runs every file in Events/vectors: valid ones verify and land, invalid ones are
/// rejected with the stated reason.
@Suite struct VectorTests {
    static let files: [URL] = {
        let dir = Fixtures.eventsDirectory.appendingPathComponent("vectors")
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }()

    @Test func theCatalogHasTheRequiredVectors() throws {
        let vectors = try Self.files.map { try JSONParser.parse([UInt8](Data(contentsOf: $0))) }
        #expect(vectors.filter { $0["valid"] == true }.count >= 6)
        let reasons = Set(vectors.compactMap { $0["reason"]?.stringValue })
        for r in ["bad-signature", "id-mismatch", "body-hash-mismatch", "seq-gap", "wrong-prev", "wrong-dataset", "malformed-author"] {
            #expect(reasons.contains(r), "missing an invalid vector for \(r)")
        }
        #expect(vectors.filter { $0["valid"] == false }.count >= 8)
    }

    @Test(arguments: files)
    func vector(_ url: URL) throws {
        let v = try JSONParser.parse([UInt8](Data(contentsOf: url)))
        let dir = TempDir()
        // A full node: vectors must also pass payload validation.
        let log = try EventLog(path: dir.file("v.db"), projectors: [CurationProjector()])
        for c in v["context"]?.arrayValue ?? [] {
            let out = try log.ingest(lines: [c.canonicalBytes])
            #expect(out[0].isAccepted, "context event of \(url.lastPathComponent) refused: \(out[0])")
        }
        let event = v["event"]!
        let line = event.canonicalBytes
        let claimed = v["id"]!.stringValue!
        // The canonical bytes in the vector are RFC 8785 of the envelope, and the id is their SHA-256
        // (for every vector whose envelope decodes).
        if let env = event["envelope"], (try? Envelope(json: env)) != nil {
            #expect(Hex.encode(env.canonicalBytes) == v["canonicalHex"]!.stringValue!)
        }
        let outcome: IngestOutcome
        switch WireFormat.verify(line: line, claimedID: claimed) {
        case .failure(let r): outcome = .rejected(r)
        case .success: outcome = try log.ingest(lines: [line])[0]
        }
        if v["valid"] == true {
            #expect(outcome == .accepted(id: claimed), "\(url.lastPathComponent): \(outcome)")
            #expect(ContentHash.sha256Hex(Hex.decode(v["canonicalHex"]!.stringValue!)!) == claimed)
            let report = try log.verify()
            if event["body"] == nil {
                // A body-less event is valid on the wire; without a redaction its body is owed:
                // stored and chained, out of the read models, and `verify` counts it as pending.
                #expect(report.isClean && report.pendingBodies == 1)
            } else {
                #expect(report.isClean)
            }
        } else {
            guard case .rejected(let r) = outcome else {
                Issue.record("\(url.lastPathComponent) was not rejected: \(outcome)")
                return
            }
            #expect(r.code.rawValue == v["reason"]!.stringValue!, "\(url.lastPathComponent): \(r)")
        }
    }
}
