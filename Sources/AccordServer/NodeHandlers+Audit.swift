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
            // The latest checkpoint (signed now if the tree grew), then the events it covers,
            // streamed a chunk at a time: memory stays bounded whatever the log's size.
            let export = try await blocking { [log, checkpointInterval] in
                try log.signCheckpoint(with: key, interval: checkpointInterval)
                guard let (note, vkey) = try log.auditCheckpoint() else { throw Problem.notFound("this node has no checkpoint") }
                return try log.auditExport(checkpoint: note, logKey: vkey)
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/x-ndjson"
            headers[.contentDisposition] = "attachment; filename=\"accord-audit.ndjson\""
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { [log] writer in
                    try await writer.write(ByteBuffer(bytes: export.header))
                    var n = 0
                    while true {
                        let after = n
                        let (bytes, count) = try await blocking { try log.auditLines(export, after: after) }
                        if count == 0 { break }
                        try await writer.write(ByteBuffer(bytes: bytes))
                        n += count
                    }
                    try await writer.finish(nil)
                })
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
