import AccordCore
import AccordStore
import AccordSync
import AccordTestSupport
import Foundation
import Synchronization
import Testing

/// The streaming ingest (pushes and pull pages) when its pipeline fails mid-stream.
@Suite struct StreamingIngestTests {
    static let admin = SigningKey.fixed("stream-admin")

    /// The database fills up while the stream is still open: the failed ingest lets go of
    /// the writer at once (it does not wait for the peer's next bytes), other writes go on,
    /// and the stream ends with the typed storage error.
    @Test func aFailedIngestFreesTheWriterWhileTheStreamIsStillOpen() async throws {
        let dir = TempDir()
        let hub = try Seed.hub(dir, key: Self.admin)
        let symbol = try hub.curation.existing("A/RES/72/1")
        let text = String(repeating: "A long note that fills pages. ", count: 70)
        // Signing and projecting 2,100 events takes seconds: off the task pool.
        let lines = try await BlockingWork.runLong {
            _ = try hub.curation.author(
                (0..<2_100).map { k in .fieldSet(symbol, field: .notes, value: .string("\(k) \(text)"), base: []) }, key: Self.admin)
            return try hub.lines()
        }
        let small = try EventLog(path: dir.file("small.db"), maxBytes: 1 << 20)
        // Batches of 2,048 lines, so that the first is handed over while the stream is open.
        // Batches of 2,048 lines, so that the first is handed over while the stream is open.
        // The first batch (2,048 lines, ~4 MB) cannot fit in 1 MiB; the stream stays open.
        // Another write waits for the writer: it must get it while the stream is still open.
        let written = Mutex(false)
        let other = Task {
            _ = try await small.checkpoint()
            written.withLock { $0 = true }
        }
        let freed = Mutex(false)
        await #expect(throws: StorageFullError.self) {
            _ = try await StreamingIngest.run(log: small, batchLines: 2048) { stream in
                for line in lines { await stream.feed(line + [0x0A]) }
                let ok = await eventually(within: 20) { written.withLock { $0 } }
                freed.withLock { $0 = ok }
            }
        }
        #expect(freed.withLock { $0 }, "the failed ingest still held the writer after 20 s")
        _ = try await other.value
        #expect(try small.eventCount() == 0)
    }
    /// A peer sends one batch, then trickles (or stalls): while the stream waits for its
    /// next bytes, a curator's edit on the same node gets the writer and commits.
    @Test func aStreamWaitingForThePeerDoesNotHoldTheWriter() async throws {
        let dir = TempDir()
        let editor = SigningKey.fixed("stream-editor")
        let hub = try Seed.hub(dir, key: Self.admin, curators: [editor])
        let lines = try hub.lines()
        let replica = try EventLog(path: dir.file("replica.db"))
        final class Flag: Sendable {
            let value = Mutex(false)
        }
        let edited = Flag()
        let (result, stopped) = try await StreamingIngest.run(log: replica, batchLines: 16) { stream in
            // The first batch (genesis and the editor's grant among it), then half a line.
            for line in lines.prefix(16) { await stream.feed(line + [0x0A]) }
            await stream.feed(lines[16].prefix(20))
            #expect(await eventually(within: 60) { stream.current.summary.accepted == 16 })
            // The stream is open and waits for the peer; the edit must not wait for it.
            async let edit: Void = BlockingWork.runLong {
                _ = try Curation(log: replica).add("A/RES/99/1", fields: [.title: .string("Made while a peer stalls")], key: editor)
                edited.value.withLock { $0 = true }
            }
            #expect(await eventually(within: 60) { edited.value.withLock { $0 } }, "the edit still waited for the stream after 60 s")
            try await edit
            // The peer goes on; the rest of its push is taken as before.
            await stream.feed(lines[16].dropFirst(20) + [0x0A])
            for line in lines.dropFirst(17) { await stream.feed(line + [0x0A]) }
        }
        #expect(stopped == nil)
        #expect(result.summary.accepted == lines.count)
        #expect(try replica.eventCount() == lines.count + 1)
    }
}
