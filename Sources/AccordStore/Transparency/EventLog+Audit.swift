public import AccordCore
public import Foundation
import GRDB

extension EventLog {
    /// This node's latest checkpoint as served (with its cosignatures) and the verifier key of
    /// the node key that signed it; nil before the first checkpoint.
    public func auditCheckpoint() throws -> (note: SignedNote, vkey: String)? {
        let sql = "SELECT note, signer FROM tlog_checkpoints ORDER BY id DESC LIMIT 1"
        guard let row = try pool.read({ db in try Row.fetchOne(db, sql: sql) }) else { return nil }
        let note = try SignedNote(parsing: Array(row[0] as Data))
        let signer = try AuthorKey(parsing: row[1] as String)
        let origin = try Checkpoint(text: note.text).origin
        return (try servedCheckpoint(note), try NoteVerifier(name: origin, publicKey: signer.raw).vkey)
    }

    /// What an auditor's bundle of one checkpoint is made from: its header line, the size it
    /// covers and which redaction erased which body. The event lines follow (`auditLines`).
    public struct AuditExport: Sendable {
        public let header: [UInt8]
        public let size: Int
        let redactions: [String: String]
    }

    /// The header of an auditor's bundle (`AuditBundle`) of `checkpoint` (a checkpoint this
    /// node signed, as served with its cosignatures).
    public func auditExport(checkpoint note: SignedNote, logKey: String, now: Date = Date()) throws -> AuditExport {
        let checkpoint = try Checkpoint(text: note.text)
        let (dataset, witnesses, redactions) = try pool.read { db in
            (
                try Self.meta(db, "dataset"),
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT vkey FROM tlog_cosignatures WHERE origin = ? AND size = ? AND vkey IS NOT NULL ORDER BY vkey",
                    arguments: [checkpoint.origin, checkpoint.size]),
                Dictionary(
                    try Row.fetchAll(
                        db, sql: "SELECT subject, id FROM events WHERE type = 'event.redacted' AND subject IS NOT NULL ORDER BY pos"
                    )
                    .map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { first, _ in first })
            )
        }
        guard let dataset else { throw TransparencyError("this node holds no dataset") }
        let header = AuditBundle.Header(
            checkpoint: note, dataset: dataset, events: checkpoint.size, exported: ISO8601DateFormatter().string(from: now),
            vkey: logKey, witnesses: witnesses)
        return AuditExport(header: header.line, size: checkpoint.size, redactions: redactions)
    }

    /// The bundle's lines of the events after the first `after`, at most `limit` of them and
    /// none past the checkpoint (empty when all are written); a body erased by a redaction is
    /// replaced by that redaction's id.
    public func auditLines(_ export: AuditExport, after: Int, limit: Int = 4096) throws -> (bytes: [UInt8], count: Int) {
        guard after < export.size else { return ([], 0) }
        let chunk = try readChunk(after: Int64(after), limit: min(limit, export.size - after))
        var out: [UInt8] = []
        for e in chunk {
            out += AuditBundle.eventLine(
                envelope: e.envelopeBytes, signature: e.signature, body: e.bodyBytes, redactedBy: export.redactions[e.id])
        }
        return (out, chunk.count)
    }

    /// Writes the whole bundle through `write`, a chunk at a time; returns the events written.
    public func exportAudit(
        checkpoint note: SignedNote, logKey: String, now: Date = Date(), write: ([UInt8]) throws -> Void
    ) throws -> Int {
        let export = try auditExport(checkpoint: note, logKey: logKey, now: now)
        try write(export.header)
        var n = 0
        while true {
            let (bytes, count) = try auditLines(export, after: n)
            if count == 0 { return n }
            try write(bytes)
            n += count
        }
    }
}
