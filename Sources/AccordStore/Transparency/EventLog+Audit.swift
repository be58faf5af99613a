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

    /// Writes an auditor's bundle (`AuditBundle`) of `checkpoint` (a checkpoint this node
    /// signed, as served with its cosignatures) through `write`, a chunk at a time: the header, then the events it
    /// covers in log order, a body erased by a redaction replaced by that redaction's id.
    /// Returns the number of events written.
    public func exportAudit(
        checkpoint note: SignedNote, logKey: String, now: Date = Date(), write: ([UInt8]) throws -> Void
    ) throws -> Int {
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
        try write(header.line)
        var n = 0
        try forEachChunk { chunk in
            var out: [UInt8] = []
            for e in chunk where n < checkpoint.size {
                out += AuditBundle.eventLine(
                    envelope: e.envelopeBytes, signature: e.signature, body: e.bodyBytes, redactedBy: redactions[e.id])
                n += 1
            }
            try write(out)
        }
        return n
    }
}
