import AccordCore
import AccordStore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Runs blocking database work off the cooperative thread pool.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { cont in
        DispatchQueue.global().async { cont.resume(with: Result { try work() }) }
    }
}

/// One sync between this node's log and a peer over HTTP: pull (the events this node
/// lacks, in pages, ingested as they stream in), then push (the events the peer lacks).
/// Every request has a deadline, so a silent peer fails the sync instead of hanging it.
public struct SyncSession: Sendable {
    public let log: EventLog
    public let peer: String
    public let http: HTTPClient
    public var pageEvents = SyncProtocol.defaultPageEvents
    public var pageBytes = SyncProtocol.defaultPageBytes
    public var timeout: TimeAmount = .seconds(60)
    /// Called after each ingested batch of a pull (tests use it to interrupt a transfer).
    public var onBatch: (@Sendable (Int) async -> Void)?

    public init(log: EventLog, peer: String, http: HTTPClient) {
        self.log = log
        self.peer = peer.hasSuffix("/") ? String(peer.dropLast()) : peer
        self.http = http
    }

    /// An HTTP client with connect and read timeouts; shut it down when done.
    public static func makeClient() -> HTTPClient {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Pull then push. Failures are thrown after everything that arrived whole was kept.
    /// A sync that ends with refusals, a fork or the nodes still apart returns a report
    /// whose `problem` says so.
    public func sync(push: Bool = true) async throws -> SyncReport {
        var report = SyncReport(peer: peer)
        let start = DispatchTime.now().uptimeNanoseconds
        let conflictsBefore = try await offload { [log] in try Curation(log: log).conflicts().count }
        defer { report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let end = try await pull(&report)
        // What this node holds once the pull is done: all of it should reach the peer
        // (edits made here during the push are left to the next sync).
        let mine = try await offload { [log] in try log.versionVector() }
        var peerVector = end?.vector
        if push, let end {
            peerVector = try await self.push(against: end, &report) ?? end.vector
        }
        let (conflicts, forked) = try await offload { [log] in
            (try Curation(log: log).conflicts().count, try log.forkedAuthors())
        }
        report.newConflicts = max(0, conflicts - conflictsBefore)
        if let end, let peerVector {
            // Each side holds what the other offered: the peer's vector at the end of the pull
            // is within this node's, and (after a push) this node's is within the peer's.
            report.inSync = !end.vector.isAhead(of: mine) && (!push || !mine.isAhead(of: peerVector))
        }
        let equivocation = EventRejection.Code.equivocation.rawValue
        if report.rejectedReceivedByCode[equivocation, default: 0] + report.rejectedSentByCode[equivocation, default: 0] > 0 {
            report.forkedKeys = forked.sorted()
        }
        report.judge()
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return report
    }

    func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .deadlineExceeded, .readTimeout: return "\(peer) timed out"
            case .remoteConnectionClosed: return "\(peer) closed the connection mid-transfer"
            default: break
            }
        }
        let text = "\(error)"
        if text.contains("connection refused") || text.contains("Connection refused") || text.contains("connectFailed") {
            return "cannot reach \(peer) (connection refused)"
        }
        return "\(peer): \(text)"
    }

    /// Pulls every page; returns the last page's end line (the peer's vector).
    func pull(_ report: inout SyncReport) async throws -> SyncProtocol.PageEnd? {
        var after: Int64 = 0
        var lastEnd: SyncProtocol.PageEnd?
        while true {
            let first = after == 0
            let (dataset, vector, heads) = try await offload { [log] in
                (try log.datasetID(), try log.versionVector(), first ? try log.headIDs() : [:])
            }
            let body = SyncProtocol.PullRequest(
                dataset: dataset, vector: vector, heads: heads, after: after, maxEvents: pageEvents, maxBytes: pageBytes
            )
            .json.canonicalBytes
            var request = HTTPClientRequest(url: peer + SyncProtocol.pullPath)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            if let dataset { request.headers.add(name: SyncProtocol.datasetHeader, value: dataset) }
            request.body = .bytes(ByteBuffer(bytes: body))
            report.roundTrips += 1
            report.bytesSent += body.count
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: timeout)
            } catch {
                throw SyncError(describe(error))
            }
            guard response.status == .ok else {
                let text = try? await response.body.collect(upTo: 1 << 16)
                throw SyncError("\(peer) refused the pull (\(response.status.code)): \(Self.problemDetail(text))")
            }
            var pending: [UInt8] = []
            var batch: [[UInt8]] = []
            var end: SyncProtocol.PageEnd?
            // Lines go to the ingest pipeline as they stream in: signatures are checked on
            // every core while earlier batches are appended.
            let queue = BatchQueue()
            let tally = IngestTally()
            let ingestion = Task.detached { [log] in
                try await offload {
                    try log.ingest(
                        next: { queue.next() },
                        handle: { out in tally.add(out) })
                }
            }
            func flush() async {
                guard !batch.isEmpty else { return }
                let lines = batch
                batch = []
                await withCheckedContinuation { cont in
                    DispatchQueue.global().async {
                        queue.put(lines)
                        cont.resume()
                    }
                }
                if let onBatch { await onBatch(lines.count) }
            }
            func settle() async throws {
                queue.finish()
                try await ingestion.value
                let counts = tally.counts
                report.eventsReceived += counts.accepted
                report.rejectedReceived += counts.rejected
                report.rejectedReceivedByCode.merge(counts.byCode, uniquingKeysWith: +)
                for e in counts.examples where report.refusals.count < SyncReport.maxExamples { report.refusals.append("received " + e) }
            }
            do {
                for try await chunk in response.body {
                    report.bytesReceived += chunk.readableBytes
                    pending += chunk.readableBytesView
                    var start = 0
                    defer { pending.removeFirst(start) }
                    while let nl = pending[start...].firstIndex(of: 0x0A) {
                        let line = Array(pending[start..<nl])
                        start = nl + 1
                        if line.isEmpty { continue }
                        if line.first == UInt8(ascii: "{"),
                            line.starts(with: Array("{\"dataset\"".utf8)) || line.starts(with: Array("{\"end\"".utf8)),
                            let json = try? JSONParser.parse(line), let e = SyncProtocol.PageEnd(json: json)
                        {
                            end = e
                            continue
                        }
                        batch.append(line)
                        if batch.count >= 2048 { await flush() }
                    }
                }
            } catch {
                // Keep every event that arrived whole; the next sync resumes from the vector.
                await flush()
                try await settle()
                throw SyncError(describe(error))
            }
            await flush()
            try await settle()
            guard let end else {
                throw SyncError("\(peer) ended the transfer early; the events that arrived were kept, sync again to resume")
            }
            lastEnd = end
            guard let next = end.next else { break }
            after = next
        }
        return lastEnd
    }

    /// Pushes what the peer lacks, in pages, in this node's log order; the first page starts
    /// with this node's side of any fork the peer's heads show. Returns the peer's vector
    /// after the last push (nil when nothing was pushed).
    func push(against end: SyncProtocol.PageEnd, _ report: inout SyncReport) async throws -> VersionVector? {
        var after: Int64 = 0
        var extras = try await offload { [log] in try log.contradicting(vector: end.vector, heads: end.heads) }
        var peerVector: VersionVector?
        while true {
            let from = after
            let (page, next) = try await offload { [log, pageEvents, pageBytes] in
                try log.missing(for: end.vector, after: from, maxEvents: pageEvents, maxBytes: pageBytes)
            }
            let events = extras + page
            extras = []
            if events.isEmpty { return peerVector }
            var body: [UInt8] = []
            for e in events {
                body += e.wireLine
                body.append(0x0A)
            }
            var request = HTTPClientRequest(url: peer + SyncProtocol.pushPath)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/x-ndjson")
            if let dataset = end.dataset { request.headers.add(name: SyncProtocol.datasetHeader, value: dataset) }
            request.body = .bytes(ByteBuffer(bytes: body))
            report.roundTrips += 1
            report.bytesSent += body.count
            let response: HTTPClientResponse
            let text: ByteBuffer
            do {
                response = try await http.execute(request, timeout: timeout)
                text = try await response.body.collect(upTo: 16 << 20)
            } catch {
                throw SyncError(describe(error))
            }
            report.bytesReceived += text.readableBytes
            guard response.status == .ok else {
                throw SyncError("\(peer) refused the push (\(response.status.code)): \(Self.problemDetail(text))")
            }
            guard let result = try? JSONParser.parse([UInt8](text.readableBytesView)), let accepted = result["accepted"]?.intValue else {
                throw SyncError("\(peer) answered the push with something that is not a push result; is it an Accord node?")
            }
            report.eventsSent += accepted + (result["invalid"]?.intValue ?? 0)
            report.rejectedSent += result["rejected"]?.intValue ?? 0
            if case .object(let byCode)? = result["rejectedByCode"] {
                for (code, n) in byCode { report.rejectedSentByCode[code, default: 0] += n.intValue ?? 0 }
            }
            for r in result["rejections"]?.arrayValue ?? [] where report.refusals.count < SyncReport.maxExamples {
                report.refusals.append("sent \(r["code"]?.stringValue ?? "?"): \(r["reason"]?.stringValue ?? "")")
            }
            if let v = result["vector"], let vector = try? VersionVector(json: v) { peerVector = vector }
            guard let next else { return peerVector }
            after = next
        }
    }

    static func problemDetail(_ body: ByteBuffer?) -> String {
        guard let body, let json = try? JSONParser.parse([UInt8](body.readableBytesView)) else { return "no detail" }
        return json["detail"]?.stringValue ?? json["title"]?.stringValue ?? json.canonicalString
    }
}
