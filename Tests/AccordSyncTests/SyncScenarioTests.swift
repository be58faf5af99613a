import AccordCore
import AccordServer
import AccordStore
import AccordSync
import AccordTestSupport
import AsyncHTTPClient
import Foundation
import Testing

/// Sync between real nodes over loopback HTTP, as named scenarios.
@Suite struct SyncScenarioTests {
    static let admin = SigningKey.fixed("sync-admin")
    static let curator = SigningKey.fixed("sync-curator")

    @Test func offlineEditsMergeAfterReconnect() async throws {
        let dir = TempDir()
        try await withSyncClient { http in
            let hub = try Seed.hub(dir, key: Self.admin, curators: [Self.curator])
            try await hub.start()
            // The laptop clones the hub, then goes offline.
            let laptop = try TestNode(name: "laptop", dir: dir.path, key: Self.curator)
            let clone = try await SyncSession(log: laptop.log, peer: hub.url, http: http).sync(push: false)
            #expect(clone.eventsReceived == (try hub.log.eventCount()))
            #expect(try laptop.curation.digest() == hub.curation.digest())
            let symbols = try hub.curation.symbols().map { try ResolutionSymbol(parsing: $0) }
            // 50 edits on each side; the notes of the first five records are edited on both.
            for k in 0..<50 {
                let s = symbols[k % symbols.count]
                let field: RecordField = k < 5 ? .notes : (k % 2 == 0 ? .summary : .notes)
                _ = try laptop.curation.author(
                    [
                        .fieldSet(
                            s, field: field, value: .string("laptop \(k)"),
                            base: try laptop.curation.state(s)!.fields[field]?.heads.map(\.id) ?? [])
                    ],
                    key: laptop.key)
                let hs = symbols[(k + 5) % symbols.count]
                let hfield: RecordField = k < 5 ? .notes : .title
                let target = k < 5 ? s : hs
                _ = try hub.curation.author(
                    [
                        .fieldSet(
                            target, field: hfield, value: .string("hub \(k)"),
                            base: try hub.curation.state(target)!.fields[hfield]?.heads.map(\.id) ?? [])
                    ],
                    key: hub.key)
            }
            // One sync: pull then push.
            let report = try await laptop.sync(with: hub, http: http)
            #expect(report.eventsReceived == 50 && report.eventsSent == 50)
            #expect(report.roundTrips == 2)
            #expect(try laptop.curation.digest() == hub.curation.digest())
            let laptopConflicts = try laptop.curation.conflicts()
            let hubConflicts = try hub.curation.conflicts()
            #expect(laptopConflicts == hubConflicts)
            // The first five records' notes were edited on both sides from the same base.
            #expect(Set(laptopConflicts.map { "\($0.symbol) \($0.field)" }) == Set(symbols.prefix(5).map { "\($0) notes" }))
            #expect(
                laptopConflicts.allSatisfy {
                    $0.heads.count == 2 && Set($0.heads.map(\.author)) == [Self.admin.author.text, Self.curator.author.text]
                })
            #expect(report.newConflicts == 5)
            // Already in sync: one round trip, no events.
            let again = try await laptop.sync(with: hub, http: http)
            #expect(again.roundTrips == 1 && again.eventsReceived == 0 && again.eventsSent == 0)
            #expect(try laptop.log.verify().isClean && hub.log.verify().isClean)
            await hub.stop()
        }
    }

    @Test func unreachablePeerIsAClearErrorAndChangesNothing() async throws {
        let dir = TempDir()
        try await withSyncClient { http in
            let node = try Seed.hub(dir, key: Self.admin)
            let (digest, count) = (try node.curation.digest(), try node.log.eventCount())
            await #expect {
                _ = try await SyncSession(log: node.log, peer: "http://127.0.0.1:9", http: http).sync()
            } throws: { e in
                "\(e)".contains("cannot reach http://127.0.0.1:9 (connection refused)")
            }
            #expect(try node.curation.digest() == digest && node.log.eventCount() == count)
        }
    }

    @Test func aPeerOfAnotherDatasetIsRefusedBeforeAnyEventMoves() async throws {
        let dir = TempDir()
        try await withSyncClient { http in
            let a = try Seed.hub(dir, key: Self.admin)
            let other = TempDir()
            let b = try Seed.hub(other, key: Self.curator)
            try await b.start()
            let (countA, countB) = (try a.log.eventCount(), try b.log.eventCount())
            await #expect {
                _ = try await SyncSession(log: a.log, peer: b.url, http: http).sync()
            } throws: { e in
                "\(e)".contains("dataset") && "\(e)".contains("409")
            }
            #expect(try a.log.eventCount() == countA && b.log.eventCount() == countB)
            await b.stop()
        }
    }

    @Test func pagesAreBoundedAndResumeFromTheVector() async throws {
        let dir = TempDir()
        try await withSyncClient { http in
            let hub = try Seed.hub(dir, key: Self.admin)
            _ = try hub.log.author(
                (0..<1200).map { EventDraft(type: "bench.note", subject: "A/RES/71/19", body: ["n": .int($0)]) }, key: Self.admin)
            try await hub.start()
            let replica = try TestNode(name: "replica", dir: dir.path, key: Self.curator)
            var session = SyncSession(log: replica.log, peer: hub.url, http: http)
            session.pageEvents = 100
            let report = try await session.sync()
            #expect(report.roundTrips == 13)  // 1243 events in pages of 100
            #expect(try replica.log.eventCount() == hub.log.eventCount())
            #expect(try replica.curation.digest() == hub.curation.digest())
            await hub.stop()
        }
    }
}
