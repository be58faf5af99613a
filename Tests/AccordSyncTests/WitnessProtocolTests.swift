import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import Foundation
import NIOCore
import Testing

/// Witnesses in the sync protocol (no sockets): a replica co-signs the hub's checkpoint it
/// verified, the hub keeps and serves the cosignature, a client that requires witnesses takes
/// only checkpoints they co-signed lately, and a hub that shows a witness another history
/// than it showed before is caught.
@Suite struct WitnessProtocolTests {
    static let hubKey = SigningKey.fixed("witness-hub")
    static let witnessKey = SigningKey.fixed("witness-replica")

    static func hub() throws -> EventLog {
        let hub = try EventLog.inMemory()
        _ = try hub.author([.genesis(name: "witnessed")], key: hubKey)
        _ = try Curation(log: hub).importRecords(Repository.seedRecords, csv: false, key: hubKey)
        return hub
    }

    static func transport(_ hub: EventLog) -> InMemorySyncTransport {
        var t = InMemorySyncTransport(server: hub)
        t.serverKey = hubKey
        t.serverWitnesses = [Witness.signer(witnessKey).verifier]
        return t
    }

    @Test func aReplicaCoSignsAndAClientRequiringWitnessesTakesOnlyWhatTheyCoSigned() async throws {
        let hub = try Self.hub()
        let replica = try EventLog.inMemory()
        var session = SyncSession(log: replica, transport: Self.transport(hub))
        session.witnessKey = Self.witnessKey
        let first = try await session.sync()
        #expect(first.problem == nil && first.witnessed?.contains("as witness accord/witness/") == true, "\(first.summary)")
        // The hub serves its checkpoint with the witness's cosignature, which verifies.
        let served = try #require(try await Self.transport(hub).checkpoint(timeout: .seconds(5)))
        let note = try SignedNote(parsing: served.note)
        let policy = WitnessPolicy(witnesses: [Witness.signer(Self.witnessKey).verifier], quorum: 1, maxAge: 60)
        #expect(policy.refusal(note, now: Date()) == nil)
        // A client that requires that witness syncs; one that requires another is refused.
        var client = SyncSession(log: try EventLog.inMemory(), transport: Self.transport(hub))
        client.witnessPolicy = policy
        #expect(try await client.sync().problem == nil)
        var strict = SyncSession(log: try EventLog.inMemory(), transport: Self.transport(hub))
        strict.witnessPolicy = WitnessPolicy(witnesses: [Witness.signer(SigningKey.fixed("absent")).verifier], quorum: 1)
        await #expect(throws: SyncError.self) { _ = try await strict.sync() }
        // Frozen: the same cosignature is too old for a client that wants one from the last second, an hour on.
        #expect(policy.refusal(note, now: Date().addingTimeInterval(3600))?.contains("frozen view") == true)
    }

    @Test func aHubShowingTheWitnessAnotherHistoryIsCaught() async throws {
        // Two copies of one hub (same key, same dataset, same epoch) take different edits: a split view.
        let hub = try Self.hub()
        let lines = try hub.readChunk(after: 0, limit: 100_000).map(\.wireLine)
        let other = try EventLog.inMemory()
        _ = try other.ingest(lines: lines)
        let symbol = try Curation(log: hub).existing("A/RES/72/1")
        try Curation(log: hub).edit(.set(symbol, .notes, "the history shown to the witness"), key: Self.hubKey)
        try Curation(log: other).edit(.set(symbol, .notes, "the history shown to someone else"), key: Self.hubKey)
        let witness = try EventLog.inMemory()
        var session = SyncSession(log: witness, transport: Self.transport(hub))
        session.witnessKey = Self.witnessKey
        #expect(try await session.sync().problem == nil)
        // The other history, offered to the same witness (a sync, or an add-checkpoint).
        var split = SyncSession(log: witness, transport: Self.transport(other))
        split.witnessKey = Self.witnessKey
        await #expect(throws: SyncError.self) { _ = try await split.sync() }
        #expect(try witness.evidence().count == 1)
        let checkpoint = try other.signCheckpoint(with: Self.hubKey, interval: 0)
        let held = try #require(try witness.heldPeerLogs().first)
        let add = Witness.AddCheckpoint(
            oldSize: held.checkpoint.size, proof: try other.consistencyProof(from: held.checkpoint.size, to: try other.treeHead().size),
            note: checkpoint.bytes)
        guard case .decided(.inconsistent) = try witness.witness(add, key: Self.witnessKey, peer: "test") else {
            Issue.record("the witness co-signed a split view")
            return
        }
        // The honest hub's next checkpoint is still co-signed.
        try Curation(log: hub).edit(.set(symbol, .notes, "later"), key: Self.hubKey)
        let next = try hub.signCheckpoint(with: Self.hubKey, interval: 0)
        let honest = Witness.AddCheckpoint(
            oldSize: held.checkpoint.size, proof: try hub.consistencyProof(from: held.checkpoint.size, to: try hub.treeHead().size),
            note: next.bytes)
        guard case .cosigned(let line) = try witness.witness(honest, key: Self.witnessKey, peer: "test") else {
            Issue.record("the witness refused an honest checkpoint")
            return
        }
        let cosigned = SignedNote(text: next.text, signatures: [line])
        #expect(try cosigned.verified(by: [Witness.signer(Self.witnessKey).verifier]).count == 1)
        // Stale: the hub names the old size again.
        guard case .decided(.conflict(let size)) = try witness.witness(honest, key: Self.witnessKey, peer: "test") else {
            Issue.record("a stale add-checkpoint was not a conflict")
            return
        }
        #expect(size == (try hub.treeHead().size))
    }

    /// Two variants of a rollback the process test does not show: a hub gone back with no new
    /// edits (a smaller tree), and one that serves its old checkpoint again after a newer one.
    @Test func aHubThatGoesBackWithoutNewEditsIsCaughtToo() async throws {
        let hub = try Self.hub()
        let lines = try hub.readChunk(after: 0, limit: 100_000).map(\.wireLine)
        let old = try EventLog.inMemory()
        _ = try old.ingest(lines: Array(lines.prefix(lines.count - 3)))
        let replica = try EventLog.inMemory()
        _ = try await SyncSession(log: replica, transport: Self.transport(old)).sync()
        let oldNote = try old.signCheckpoint(with: Self.hubKey, interval: 0)
        _ = try await SyncSession(log: replica, transport: Self.transport(hub)).sync()
        await #expect(throws: SyncError.self) { _ = try await SyncSession(log: replica, transport: Self.transport(old)).sync() }
        #expect(try replica.evidence().count == 1)
        // The old checkpoint, signed before, is no fresher as a witness request.
        let held = try #require(try replica.heldPeerLogs().first)
        let replay = Witness.AddCheckpoint(oldSize: held.checkpoint.size, proof: [], note: oldNote.bytes)
        guard case .decided(let d) = try replica.witness(replay, key: Self.witnessKey, peer: "test"), d != .cosign else {
            Issue.record("a replayed older checkpoint was co-signed")
            return
        }
    }
}
