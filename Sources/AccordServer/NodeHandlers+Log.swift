import AccordCore
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird

/// `/log/v1/`: this node's transparency log (Docs/transparency.md): its latest signed
/// checkpoint (c2sp.org/tlog-checkpoint, a signed note), its verifier key, and inclusion and
/// consistency proofs for clients that do not read tiles.
extension NodeHandlers {
    /// The transparency log: checkpoint, verifier key and proofs.
    var logRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.get("log/v1/checkpoint") { _, _ -> Response in
            let key = try signingKey()
            let note = try await blocking { [log, witnessWait] in
                try log.servedCheckpoint(try log.signCheckpoint(with: key, interval: checkpointInterval, awaiting: witnessWait))
            }
            return Self.text(String(decoding: note.bytes, as: UTF8.self))
        }
        router.get("log/v1/vkey") { _, _ -> Response in
            let key = try signingKey()
            let origin = try await blocking { [log] in try log.logOrigin(node: key.author) }
            return Self.text(try NoteVerifier(name: origin, publicKey: key.author.raw).vkey + "\n")
        }
        router.get("log/v1/proof") { request, _ -> Response in
            let p = Self.parameters(request)
            if let id = p["id"] {
                guard Hex.isSHA256(id) else { throw Problem.badRequest("id is an event id (64 hex digits)") }
                let size = try Self.intParameter(p, "size")
                let (index, treeSize, proof) = try await blocking { [log] in try log.inclusionProof(id: id, size: size) }
                return try Self.json(encoding: LogProofs.Inclusion(id: id, index: index, size: treeSize, proof: proof))
            }
            guard let from = try Self.intParameter(p, "from"), let to = try Self.intParameter(p, "to") else {
                throw Problem.badRequest("ask for ?id=EVENT[&size=N] (inclusion) or ?from=M&to=N (consistency)")
            }
            let proof = try await blocking { [log] in try log.consistencyProof(from: from, to: to) }
            return try Self.json(encoding: LogProofs.Consistency(from: from, to: to, proof: proof))
        }
        // C2SP tlog-tiles: immutable once served (a partial tile is its own resource).
        router.get("log/v1/tile/**") { _, context -> Response in
            _ = try signingKey()
            let tile: TilePath
            do {
                tile = try TilePath(parsing: context.parameters.getCatchAll().joined(separator: "/"))
            } catch let error as DomainError {
                throw Problem(.notFound, "No such tile", error.message)
            }
            guard let bytes = try await blocking({ [log] in try log.tile(tile) }) else {
                throw Problem(.notFound, "No such tile", "this log does not hold tile \(tile.path) whole (yet)")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return router
    }

    func signingKey() throws -> SigningKey {
        guard let nodeKey else {
            throw Problem(.notFound, "No transparency log", "this node serves without a key, so it signs no checkpoints")
        }
        return nodeKey
    }

    static func text(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
