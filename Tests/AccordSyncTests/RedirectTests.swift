import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import Foundation
import Hummingbird
import Synchronization
import Testing

/// A peer's redirect: the sync client follows none, names where it pointed, and sends
/// nothing (dataset, version vector, heads, events) to the other origin.
@Suite struct RedirectTests {
    @Test func aRedirectIsAnErrorAndNothingReachesTheOtherOrigin() async throws {
        let dir = TempDir()
        let node = try Seed.hub(dir, key: SigningKey.fixed("redirect-test"))
        let count = try node.log.eventCount()
        // The other origin counts every request it is sent.
        let seen = Hits()
        let other = Router()
        other.middlewares.add(CountingMiddleware(seen: seen))
        let (otherPort, otherTask) = await MaliciousPeerTests.serve(other)
        defer { otherTask.cancel() }
        let target = "http://127.0.0.1:\(otherPort)/sync/v1/pull"
        for status in [HTTPResponse.Status.found, .temporaryRedirect, .permanentRedirect, .movedPermanently] {
            let router = Router()
            router.post(RouterPath(SyncProtocol.pullPath)) { _, _ -> Response in
                Response(status: status, headers: [.location: target])
            }
            try await MaliciousPeerTests.against(router, log: node.log) { session in
                await #expect {
                    _ = try await session.sync()
                } throws: { e in
                    "\(e)".contains("redirect (\(status.code)) to \(target)") && "\(e)".contains("follows no redirect")
                }
            }
        }
        #expect(seen.count.withLock { $0 } == 0)
        #expect(try node.log.eventCount() == count)
    }

    /// A peer's problem text is shown on one line, its controls visible.
    @Test func aPeersProblemTextCannotForgeLinesOrActOnATerminal() async throws {
        let dir = TempDir()
        let node = try Seed.hub(dir, key: SigningKey.fixed("problem-text"))
        let router = Router()
        router.post(RouterPath(SyncProtocol.pullPath)) { _, _ -> Response in
            let body = #"{"title":"x","detail":"\u001b]0;pwned\u0007 no\r\nsignature valid \u202e"}"#
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        try await MaliciousPeerTests.against(router, log: node.log) { session in
            await #expect {
                _ = try await session.sync()
            } throws: { e in
                let text = "\(e)"
                return !HostileCorpus.hasUnsafe(text) && !text.contains("\n") && text.contains("\\u001b]0;pwned\\u0007")
            }
        }
    }
}

final class Hits: Sendable {
    let count = Mutex(0)
}

struct CountingMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let seen: Hits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        seen.count.withLock { $0 += 1 }
        return Response(status: .ok)
    }
}
