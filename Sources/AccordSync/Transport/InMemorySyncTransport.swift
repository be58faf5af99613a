public import AccordCore
public import AccordStore
import Foundation
public import NIOCore

/// The sync protocol without a network: requests go straight to the server half
/// (`SyncServer`, `PushIntake`) over another node's database, with the same messages in
/// the same bytes as over HTTP. For tests of the protocol's logic; the real-socket tests
/// keep testing the network.
public struct InMemorySyncTransport: SyncTransport {
    public let server: EventLog
    public let peer: String
    /// Bytes per chunk handed to the client (a page arrives in pieces, as from a socket).
    public var chunkBytes = 16 << 10
    /// The server's node key: with one it signs checkpoints as a serving node does.
    public var serverKey: SigningKey?
    /// The witnesses the server names (it keeps their cosignatures).
    public var serverWitnesses: [NoteVerifier] = []

    public init(server: EventLog, name: String = "memory://peer") {
        self.server = server
        peer = name
    }

    /// Refuses a request for another dataset than the server's, as the HTTP endpoint does (409).
    func checkDataset(_ claimed: String?, _ what: String) throws -> String? {
        let mine = try server.datasetID()
        if let why = SyncServer.otherDataset(mine: mine, claimed: [claimed]) {
            throw SyncError("\(peer) refused the \(what) (409): \(why)")
        }
        return mine
    }

    public func pull(_ body: [UInt8], dataset: String?, timeout: TimeAmount, receive: ([UInt8]) async throws -> Void) async throws {
        let request: SyncProtocol.PullRequest
        do {
            request = try WireJSON.decode(SyncProtocol.PullRequest.self, from: body)
        } catch {
            throw SyncError("\(peer) refused the pull (400): pull request: \(error)")
        }
        _ = try checkDataset(dataset, "pull")
        _ = try checkDataset(request.dataset, "pull")
        let (events, end) = try SyncServer.page(for: request, log: server)
        var bytes: [UInt8] = []
        for e in events {
            bytes += e.wireLine
            bytes.append(0x0A)
        }
        bytes += WireJSON.encode(end)
        bytes.append(0x0A)
        var k = 0
        while k < bytes.count {
            try await receive(Array(bytes[k..<min(bytes.count, k + chunkBytes)]))
            k += chunkBytes
        }
    }

    public func push(_ body: [UInt8], dataset: String?, timeout: TimeAmount) async throws -> [UInt8] {
        guard try checkDataset(dataset, "push") != nil else {
            throw SyncError("\(peer) refused the push (409): this node holds no dataset yet")
        }
        let chunk = chunkBytes
        let (result, stop) = try await PushIntake.run(log: server) { take in
            var k = 0
            while k < body.count {
                if let stop = await take(Array(body[k..<min(body.count, k + chunk)])) { return stop }
                k += chunk
            }
            return nil
        }
        if stop == .mostlyRefused {
            throw SyncError("\(peer) refused the push (422): \(result.summary.rejected) lines of this push were refused")
        }
        if let stop { throw SyncError("\(peer) refused the push: \(stop)") }
        let answer = SyncProtocol.PushResult(result, vector: try server.versionVector())
        return Array(try JSONEncoder().encode(answer))
    }

    public func digest(timeout: TimeAmount) async -> String? { try? Curation(log: server).digest() }

    public func checkpoint(timeout: TimeAmount) async throws -> (note: [UInt8], vkey: String)? {
        guard let serverKey else { return nil }
        let note = try server.servedCheckpoint(try server.signCheckpoint(with: serverKey, interval: 0))
        let vkey = try NoteVerifier(name: try server.logOrigin(node: serverKey.author), publicKey: serverKey.author.raw).vkey
        return (note.bytes, vkey)
    }

    public func cosignature(_ note: [UInt8], timeout: TimeAmount) async throws -> Bool {
        guard !serverWitnesses.isEmpty, let note = try? SignedNote(parsing: note) else { return false }
        return (try? server.addCosignatures(note, witnesses: serverWitnesses)) != nil
    }

    public func consistencyProof(from: Int, to: Int, timeout: TimeAmount) async throws -> [Merkle.Hash] {
        try server.consistencyProof(from: from, to: to)
    }
}
