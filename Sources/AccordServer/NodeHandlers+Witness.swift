import AccordCore
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird

/// Witnessing over HTTP (Docs/transparency.md, "Witnesses"): this node's witnesses giving it
/// their cosignatures, and this node witnessing other logs (c2sp.org/tlog-witness).
extension NodeHandlers {
    var witnessRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        // A witness's cosignatures of this node's checkpoint, kept when the witness is one this
        // node names (serve --witness) and served on the checkpoint from then on.
        router.post("log/v1/cosignatures") { request, _ -> Response in
            _ = try signingKey()
            let body = try await witnessBody(request)
            guard !witnesses.isEmpty else {
                throw Problem(.forbidden, "Not a witness of this node", "this node names no witnesses (accord serve --witness VKEY)")
            }
            let note: SignedNote
            do {
                note = try SignedNote(parsing: body)
            } catch {
                throw Problem.badRequest("a cosigned checkpoint is a signed note: \(error)")
            }
            do {
                let kept = try await blocking { [log, witnesses] in try log.addCosignatures(note, witnesses: witnesses) }
                return Self.json(["kept": .int(kept)])
            } catch let error as NoteError {
                throw Problem(.forbidden, "Cosignature refused", "\(error) (this node takes cosignatures from the witnesses it names)")
            }
        }
        // c2sp.org/tlog-witness: co-sign a log's checkpoint if it extends the one held of it.
        router.post("witness/v1/add-checkpoint") { request, _ -> Response in
            let key = try signingKey()
            let body = try await witnessBody(request)
            let add: Witness.AddCheckpoint
            do {
                add = try Witness.AddCheckpoint(parsing: body)
            } catch {
                throw Problem.badRequest("\(error)")
            }
            let answer = try await blocking { [log] in try log.witness(add, key: key, peer: "add-checkpoint") }
            switch answer {
            case .cosigned(let signature): return Self.text(signature.line)
            case .unknownLog(let why): throw Problem(.notFound, "Unknown log", why)
            case .badSignature(let why): throw Problem(.forbidden, "Checkpoint not signed by its log", why)
            case .decided(.conflict(let size)):
                var headers = HTTPFields()
                headers[.contentType] = "text/x.tlog.size"
                return Response(status: .conflict, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "\(size)\n")))
            case .decided(.inconsistent(let why)): throw Problem(.unprocessableContent, "Inconsistent checkpoint", why)
            case .decided(.malformed(let why)): throw Problem.badRequest(why)
            case .decided(.cosign): throw Problem(.internalServerError, "Witness", "no cosignature was made")
            }
        }
        return router
    }

    /// A witness request's body: a signed note and a proof, at most 72 KiB (not a form: a
    /// cross-site browser is refused as everywhere).
    func witnessBody(_ request: Request) async throws -> [UInt8] {
        let limit = SignedNote.maxBytes + 8 * 1024
        if let why = crossSiteBrowser(request) { throw Problem(.forbidden, "Cross-site request", why) }
        try Self.refuseDeclaredSize(request, limit: limit, "Note too large", "a witness request is at most \(limit) bytes")
        return try await Self.collect(request, upTo: limit, tooLarge: "Note too large", "a witness request is at most \(limit) bytes")
    }

}
