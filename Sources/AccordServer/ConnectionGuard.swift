import AccordCore
import HTTPTypes
import Metrics
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The node's connections, counted against `DoorLimits` (one book for the whole server).
final class ConnectionLedger: Sendable {
    private let book: Mutex<ConnectionBook>
    let limits: DoorLimits

    init(limits: DoorLimits, descriptorLimit: Int) {
        self.limits = limits
        book = Mutex(ConnectionBook(total: limits.connectionCap(descriptorLimit: descriptorLimit), perClient: limits.maxPerClient))
    }

    /// Connections open now, for operators (and tests that wait for a flood to take hold).
    static let openGauge = Gauge(label: "accord_connections_open")

    func admit(_ client: String) -> String? {
        let (refusal, open) = book.withLock { ($0.admit(client), $0.open) }
        Self.openGauge.record(open)
        return refusal
    }

    func release(_ client: String) {
        Self.openGauge.record(
            book.withLock { b in
                b.release(client)
                return b.open
            })
    }
    var open: Int { book.withLock { $0.open } }
}

/// The one door every connection passes, whatever its route: refuses a connection over
/// the total or per-client cap, closes one whose request head does not arrive whole in
/// time (a slow or silent sender, or an idle keep-alive), and cuts a request body that
/// falls below the minimum rate. Edits, drafts, pulls, pushes and pages alike: a slow
/// sender never holds what honest requests need. Sits after the HTTP decoder.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let ledger: ConnectionLedger
    private var client: String?
    private var timer: RepeatedTask?
    /// Since when the connection has waited for a request head (nil: a request is open).
    private var waitingSince: NIODeadline? = .now()
    private var bodyStart: NIODeadline?
    private var bodyBytes = 0
    private var openRequests = 0
    /// A response head is written and its end is not.
    private var responding = false

    static let refused = Counter(label: "accord_connections_closed_total", dimensions: [("reason", "cap")])
    static let slowHead = Counter(label: "accord_connections_closed_total", dimensions: [("reason", "head-timeout")])
    static let slowBody = Counter(label: "accord_connections_closed_total", dimensions: [("reason", "slow-body")])

    init(ledger: ConnectionLedger) { self.ledger = ledger }

    func handlerAdded(context: ChannelHandlerContext) {
        let address = ConnectionBook.client(context.channel.remoteAddress?.ipAddress ?? "unknown")
        if ledger.admit(address) != nil {
            Self.refused.increment()
            context.close(promise: nil)
            return
        }
        client = address
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            let (handler, context) = bound.value
            handler.check(context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { finish() }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    private func finish() {
        timer?.cancel()
        timer = nil
        if let client { ledger.release(client) }
        client = nil
    }

    private func check(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        let limits = ledger.limits
        if let since = waitingSince, limits.headOverdue(waited: Self.duration(now - since)) != nil {
            Self.slowHead.increment()
            context.close(promise: nil)
        } else if let start = bodyStart, let why = limits.bodyTooSlow(elapsed: Self.duration(now - start), bytes: bodyBytes) {
            Self.slowBody.increment()
            bodyStart = nil
            guard !responding else { return context.close(promise: nil) }
            // The handler still waits for the body: answer for it, then close.
            let problem = #"{"type":"about:blank","title":"Request too slow","status":408,"detail":"\#(why)"}"#
            var buffer = context.channel.allocator.buffer(capacity: problem.utf8.count)
            buffer.writeString(problem)
            let head = HTTPResponse(
                status: .requestTimeout,
                headerFields: [.contentType: "application/problem+json", .contentLength: "\(buffer.readableBytes)", .connection: "close"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(buffer)), promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    static func duration(_ t: TimeAmount) -> Duration { .nanoseconds(t.nanoseconds) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            waitingSince = nil
            bodyStart = .now()
            bodyBytes = 0
            openRequests += 1
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
        case .end:
            bodyStart = nil
            if openRequests == 0 { waitingSince = .now() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .body: break
        case .end:
            responding = false
            openRequests = max(0, openRequests - 1)
            if openRequests == 0 && bodyStart == nil { waitingSince = .now() }
        }
        context.write(data, promise: promise)
    }
}
