import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// Group commit: writers that arrive together share one transaction and its sync.
@Suite struct GroupCommitTests {
    @Test func writersThatArriveWhileTheLogIsBusyShareOneCommit() async throws {
        let dir = TempDir()
        let log = try EventLog(path: dir.file("g.db"), projectors: [CurationProjector()], durable: true)
        _ = try log.author([.genesis(name: "group commit")], key: Fixtures.alice)
        let keys = (0..<32).map { SigningKey.fixed("group-writer-\($0)") }
        try Fixtures.grant(log, keys)
        let dataset = try #require(try log.datasetID())
        let before = try log.eventCount()
        let group = GroupCommit(log: log)

        // Another transaction holds the writer while all 32 writers arrive.
        // (The test waits without blocking a thread of the shared pool: parallel suites
        // would starve the writers.)
        let release = DispatchSemaphore(value: 0)
        await withCheckedContinuation { (held: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                log.pool.writeWithoutTransaction { _ in
                    held.resume()
                    release.wait()
                }
            }
        }
        let outcomes = try await withThrowingTaskGroup(of: [IngestOutcome].self) { tasks in
            for (k, key) in keys.enumerated() {
                tasks.addTask {
                    var chain = ChainSigner(key: key, dataset: dataset)
                    let note = chain.sign(Fixtures.note(k))
                    return try await group.ingest(lines: [note.wireLine])
                }
            }
            // The first writer leads a group of itself (blocked behind the writer); the 31
            // others queue behind it and go into the next group together.
            let deadline = ContinuousClock.now + .seconds(300)
            while group.waitingCount < 31, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            #expect(group.waitingCount == 31)
            release.signal()
            var all: [IngestOutcome] = []
            for try await o in tasks { all += o }
            return all
        }
        #expect(outcomes.count == 32 && outcomes.allSatisfy { $0.isAccepted }, "\(outcomes.prefix(2))")
        #expect(group.statistics.groups == 2 && group.statistics.writers == 32)
        #expect(try log.eventCount() == before + 32)
        #expect(try log.verify().problems.isEmpty)
    }

    @Test func aWriterThatFailsIsAnsweredWithItsErrorAndTheOthersAreNotHeldUp() async throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir, projectors: [CurationProjector()])
        let dataset = try #require(try log.datasetID())
        let group = GroupCommit(log: log)
        var bob = ChainSigner(key: Fixtures.bob, dataset: dataset)
        let first = bob.sign(Fixtures.note(1))
        let second = bob.sign(Fixtures.note(2))
        // A stranger's event and a line that is no event are refused, each with why.
        var stranger = ChainSigner(key: SigningKey.fixed("group-stranger"), dataset: dataset)
        let refused = try await group.ingest(lines: [stranger.sign(Fixtures.note(3)).wireLine, Array("{not an event".utf8)])
        #expect(refused.allSatisfy { if case .rejected = $0 { true } else { false } })
        // Out of order within one writer: the pipeline places the second after the first.
        let out = try await group.ingest(lines: [second.wireLine, first.wireLine])
        #expect(out.allSatisfy { $0.isAccepted }, "\(out)")
        let resent = try await group.ingest(lines: [first.wireLine])
        #expect(resent == [.duplicate(id: first.id)])
    }
}
