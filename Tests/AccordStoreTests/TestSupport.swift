import AccordCore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordStore

enum Fixtures {
    static let alice = SigningKey.fixed("store-tests-alice")
    static let bob = SigningKey.fixed("store-tests-bob")

    /// A node with a dataset whose genesis alice signed.
    static func node(_ dir: TempDir, _ name: String = "node.db", projectors: [any Projector] = []) throws -> EventLog {
        let log = try EventLog(path: dir.file(name), projectors: projectors)
        let out = try log.author(
            [.genesis(name: "test dataset"), AuthorizationEvent.granted(key: bob.author, role: .editor, name: "Bob").draft], key: alice)
        #expect(out.allSatisfy { $0.isAccepted })
        return log
    }

    /// Alice (the genesis admin) grants `keys` as editors.
    static func grant(_ log: EventLog, _ keys: [SigningKey]) throws {
        let out = try log.author(
            keys.enumerated().map { AuthorizationEvent.granted(key: $1.author, role: .editor, name: "member \($0)").draft }, key: alice)
        #expect(out.allSatisfy { $0.isAccepted })
    }

    static func note(_ i: Int, subject: String = "A/RES/71/19") -> EventDraft {
        EventDraft(type: "bench.note", subject: subject, body: ["n": .int(i), "text": .string("note \(i)")])
    }

    /// Runs the sqlite3 shell on `db` and returns (exit status, stderr).
    @discardableResult
    static func sqlite3(_ db: String, _ sql: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db, sql]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    static func lines(_ log: EventLog) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try log.forEachChunk { out += $0.map(\.wireLine) }
        return out
    }

    static var eventsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Events")
    }
}
