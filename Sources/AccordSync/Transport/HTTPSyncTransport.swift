public import AccordCore
public import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The sync protocol over HTTP (Docs/protocol.md, section 5), through AsyncHTTPClient.
public struct HTTPSyncTransport: SyncTransport {
    public let peer: String
    public let http: HTTPClient

    public init(peer: String, http: HTTPClient) {
        self.peer = peer.hasSuffix("/") ? String(peer.dropLast()) : peer
        self.http = http
    }

    func request(_ path: String, _ body: [UInt8], type: String, dataset: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: peer + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: type)
        if let dataset { request.headers.add(name: SyncProtocol.datasetHeader, value: dataset) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    public func pull(_ body: [UInt8], dataset: String?, timeout: TimeAmount, receive: ([UInt8]) async throws -> Void) async throws {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(
                request(SyncProtocol.pullPath, body, type: "application/json", dataset: dataset), timeout: timeout)
        } catch {
            throw SyncError(describe(error))
        }
        guard response.status == .ok else {
            let text = try? await response.body.collect(upTo: 1 << 16)
            throw SyncError(refusal("pull", response, text))
        }
        do {
            for try await chunk in response.body { try await receive(Array(chunk.readableBytesView)) }
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError(describe(error))
        }
    }

    public func push(_ body: [UInt8], dataset: String?, timeout: TimeAmount) async throws -> [UInt8] {
        let response: HTTPClientResponse
        let text: ByteBuffer
        do {
            response = try await http.execute(
                request(SyncProtocol.pushPath, body, type: "application/x-ndjson", dataset: dataset), timeout: timeout)
            text = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw SyncError(describe(error))
        }
        guard response.status == .ok else { throw SyncError(refusal("push", response, text)) }
        return Array(text.readableBytesView)
    }

    public func digest(timeout: TimeAmount) async -> String? {
        guard let response = try? await http.execute(HTTPClientRequest(url: peer + "/api/v1/digest"), timeout: timeout),
            response.status == .ok, let body = try? await response.body.collect(upTo: 1 << 12),
            let json = try? JSONParser.parse([UInt8](body.readableBytesView))
        else { return nil }
        return json["digest"]?.stringValue.map { TerminalText.oneLine(String($0.prefix(128))) }
    }

    public func checkpoint(timeout: TimeAmount) async throws -> (note: [UInt8], vkey: String)? {
        guard let note = try await get("/log/v1/checkpoint", "checkpoint", limit: SignedNote.maxBytes, timeout: timeout),
            let vkey = try await get("/log/v1/vkey", "verifier key", limit: 1 << 12, timeout: timeout)
        else { return nil }
        return (note, String(decoding: vkey, as: UTF8.self))
    }

    public func consistencyProof(from: Int, to: Int, timeout: TimeAmount) async throws -> [Merkle.Hash] {
        guard let body = try await get("/log/v1/proof?from=\(from)&to=\(to)", "consistency proof", limit: 1 << 14, timeout: timeout) else {
            throw SyncError("\(peer) has no consistency proof from \(from) to \(to) leaves")
        }
        do {
            let answer = try WireJSON.decode(LogProofs.Consistency.self, from: body)
            guard answer.from == from, answer.to == to else { throw DomainError("it is the proof from \(answer.from) to \(answer.to)") }
            return try LogProofs.hashes(answer.proof)
        } catch {
            throw SyncError("\(peer) answered for a consistency proof with something else: \(error)")
        }
    }

    public func cosignature(_ note: [UInt8], timeout: TimeAmount) async throws -> Bool {
        var request = HTTPClientRequest(url: peer + "/log/v1/cosignatures")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: note))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 1 << 14)
        } catch {
            throw SyncError(describe(error))
        }
        if response.status == .ok { return true }
        if [.forbidden, .notFound].contains(response.status) { return false }
        throw SyncError("\(peer) answered the cosignature with \(response.status.code)")
    }

    /// GETs `path`: its body (at most `limit` bytes), nil on 404, else a `SyncError`.
    func get(_ path: String, _ what: String, limit: Int, timeout: TimeAmount) async throws -> [UInt8]? {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(HTTPClientRequest(url: peer + path), timeout: timeout)
            body = try await response.body.collect(upTo: limit)
        } catch {
            throw SyncError("\(peer) (its \(what)): " + describe(error))
        }
        if response.status == .notFound { return nil }
        guard response.status == .ok else { throw SyncError(refusal(what, response, body)) }
        return Array(body.readableBytesView)
    }

    /// A transport failure as a sentence with the next step, told by the error's type.
    func describe(_ error: any Error) -> String {
        switch error {
        case let e as HTTPClientError where [.connectTimeout, .deadlineExceeded, .readTimeout].contains(e):
            return "\(peer) timed out"
        case let e as HTTPClientError where e == .remoteConnectionClosed:
            return "\(peer) closed the connection mid-transfer"
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return "the TLS certificate of \(peer) is not trusted or the handshake failed (\(String(describing: error).prefix(160))); "
                + "for a team CA, set ACCORD_CA_FILE to its PEM file"
        case let e as NIOConnectionError:
            if e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil {
                return "cannot resolve the host of \(peer): is the URL right?"
            }
            return "cannot reach \(peer) (connection refused): is the node running, and is the URL right?"
        case let e as IOError where e.errnoCode == ECONNREFUSED:
            return "cannot reach \(peer) (connection refused): is the node running, and is the URL right?"
        default:
            return "\(peer): \(error)"
        }
    }

    /// Why a request was not answered with 200, in words: a redirect names where it
    /// pointed (and that nothing was sent there), anything else quotes the peer's problem.
    func refusal(_ what: String, _ response: HTTPClientResponse, _ body: ByteBuffer?) -> String {
        if (300..<400).contains(Int(response.status.code)) {
            let location = response.headers.first(name: "location").map { TerminalText.oneLine(String($0.prefix(300))) } ?? "nowhere named"
            return "\(peer) answered the \(what) with a redirect (\(response.status.code)) to \(location); Accord follows no redirect "
                + "and sent nothing there: if the node moved, sync with its new URL"
        }
        return "\(peer) refused the \(what) (\(response.status.code)): \(Self.problemDetail(body))"
    }

    /// The peer's problem detail, on one line (it is the peer's text: Docs/security.md).
    static func problemDetail(_ body: ByteBuffer?) -> String {
        guard let body, let json = try? JSONParser.parse([UInt8](body.readableBytesView)) else {
            return "no problem details: is it an Accord node, and is the URL its base (e.g. http://HOST:8080)?"
        }
        return TerminalText.oneLine(
            String((json["detail"]?.stringValue ?? json["title"]?.stringValue ?? json.canonicalString).prefix(1000)))
    }
}
