import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import Foundation
import Testing

/// The sync protocol without sockets: a session talks to another node's server half
/// (`SyncServer`, `PushIntake`) through `InMemorySyncTransport`, with the messages in the
/// same bytes as over HTTP. The real-socket tests (SyncScenarioTests, MaliciousPeerTests)
/// keep testing the network.
@Suite struct InMemoryProtocolTests {
    static let admin = SigningKey.fixed("memory-admin")
    static let curator = SigningKey.fixed("memory-curator")

    static func hub() throws -> EventLog {
        let hub = try EventLog.inMemory()
        _ = try hub.author(
            [.genesis(name: "memory"), AuthorizationEvent.granted(key: curator.author, role: .editor, name: "Cara").draft], key: admin)
        _ = try Curation(log: hub).importRecords(Repository.seedRecords, csv: false, key: admin)
        return hub
    }

    /// A clone in small pages, then concurrent edits on both sides, then a conflict that
    /// reaches both: each sync ends in sync, with equal digests.
    @Test func twoNodesConvergeThroughTheServerHalfInSmallPages() async throws {
        let hub = try Self.hub()
        let laptop = try EventLog.inMemory()
        var session = SyncSession(log: laptop, transport: InMemorySyncTransport(server: hub))
        session.pageEvents = 7
        let clone = try await session.sync()
        #expect(clone.inSync && clone.problem == nil, "\(clone.summary)")
        #expect(clone.eventsReceived == (try hub.eventCount()))
        #expect(clone.roundTrips > 3, "pages of 7 events: \(clone.roundTrips) round trips")
        // The same field set on both sides: a conflict each node shows after the next sync.
        let symbol = try Curation(log: hub).existing("A/RES/72/1")
        try Curation(log: hub).edit(.set(symbol, .notes, "hub"), key: Self.admin)
        try Curation(log: laptop).edit(.set(symbol, .notes, "laptop"), key: Self.curator)
        let round = try await session.sync()
        #expect(round.inSync && round.eventsSent == 1 && round.eventsReceived == 1, "\(round.summary)")
        #expect(round.newConflicts == 1)
        #expect(try Curation(log: hub).digest() == Curation(log: laptop).digest())
        #expect(try Curation(log: hub).conflicts().count == 1)
        // Nothing new: nothing moves.
        let quiet = try await session.sync()
        #expect(quiet.inSync && quiet.eventsSent == 0 && quiet.eventsReceived == 0)
    }

    /// A node of another dataset is refused with the reason, and nothing is exchanged.
    @Test func anotherDatasetIsRefusedAndNothingMoves() async throws {
        let hub = try Self.hub()
        let other = try EventLog.inMemory()
        _ = try other.author([.genesis(name: "other")], key: Self.admin)
        let before = try hub.eventCount()
        await #expect {
            _ = try await SyncSession(log: other, transport: InMemorySyncTransport(server: hub)).sync()
        } throws: { error in
            "\(error)".contains("409") && "\(error)".contains("no events were exchanged")
        }
        #expect(try hub.eventCount() == before)
        #expect(try other.eventCount() == 1)
    }
}
