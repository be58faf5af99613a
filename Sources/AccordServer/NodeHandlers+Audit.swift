import AccordCore
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird

/// `/audit/`: what an outside auditor downloads: the bundle of this node's log up to its
/// latest checkpoint (`accord export --audit`) and the offline verifier page.
extension NodeHandlers {
    var auditRoutes: RouteCollection<Context> {
        let router = RouteCollection(context: Context.self)
        router.get("audit/bundle.ndjson") { _, _ -> Response in
            let key = try signingKey()
            // The latest checkpoint (signed now if the tree grew), and the events it covers.
            let bytes = try await blocking { [log, checkpointInterval] in
                try log.signCheckpoint(with: key, interval: checkpointInterval)
                guard let (note, vkey) = try log.auditCheckpoint() else { throw Problem.notFound("this node has no checkpoint") }
                var out = ByteBuffer()
                _ = try log.exportAudit(checkpoint: note, logKey: vkey) { out.writeBytes($0) }
                return out
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/x-ndjson"
            headers[.contentDisposition] = "attachment; filename=\"accord-audit.ndjson\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
        }
        router.get("audit/verify.html") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = AuditVerifierPage.contentSecurityPolicy
            headers[.contentDisposition] = "inline; filename=\"accord-verify.html\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: AuditVerifierPage.bytes)))
        }
        return router
    }
}
