import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

struct CloneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone", abstract: "Make a new node holding a peer's whole log (or an exported log file), verified.",
        discussion: """
            One key, one node: the new node gets its own device key, written beside the database (DB.key, mode 0600) \
            and used by every command run with that --db; clone prints the `accord grant` command an admin runs \
            for it. With --key, that key is used instead, and refused if it already signs events in the dataset.
            """)
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var key: KeyOptions
    @Argument(help: "The peer's base URL (http://HOST:PORT), or an NDJSON file from `accord export`.") var source: String
    @Flag(name: .long) var json = false
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        if FileManager.default.fileExists(atPath: db.path), try db.open().eventCount() > 0 {
            throw CLIError("\(db.path) already holds events; clone makes a new node (use `accord sync` to update one)")
        }
        let fromFile = !source.contains("://") && FileManager.default.fileExists(atPath: source)
        let peer: String
        do {
            peer = fromFile ? source : try PeerURL.validate(source)
        } catch {
            throw CLIError("\(error.description) (or the path of an exported log file)")
        }
        // Only what this command created is removed when it fails (an empty database file the
        // user made stays).
        let created = !FileManager.default.fileExists(atPath: db.path)
        func removeCreated() {
            guard created else { return }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db.path + suffix) }
        }
        let log = try db.openOrCreate()
        let report = fromFile ? try cloneFile(into: log, removeCreated) : try await clonePeer(peer, into: log, removeCreated)
        let verified = try log.verify()
        let device = try deviceKey(log)
        if json {
            print(jsonString(report))
        } else {
            print(report.summary)
            print("verified \(verified.events) events: \(verified.isClean ? "ok" : "\(verified.problems.count) problems")")
        }
        printErr(device)
        if !verified.isClean || report.rejectedReceived > 0 { throw ExitCode(1) }
    }

    /// A clone from a file written by `accord export`.
    func cloneFile(into log: EventLog, _ removeCreated: () -> Void) throws -> SyncReport {
        let shown = progress.reporter("clone")
        let result: NDJSONImport.Result
        do {
            result = try NDJSONImport.run(path: source, into: log, progress: shown.update)
        } catch {
            shown.finish()
            if try log.eventCount() == 0 {
                removeCreated()
                throw CLIError("clone failed: \(error); nothing was created", underlying: error)
            }
            throw CLIError(
                "clone failed midway: \(error); what was read is kept, and `accord import \(source) --db \(db.path)` takes the rest",
                underlying: error)
        }
        shown.finish()
        if try log.eventCount() == 0 {
            // Nothing was taken (not an exported log, or another dataset's refused lines):
            // leave no empty node, and no key, behind.
            removeCreated()
            let why = result.explained(limit: 5).joined(separator: "\n  ")
            throw CLIError(
                "clone failed: \(source) holds no event this node can take (\(result.summary.rejected) lines refused"
                    + (why.isEmpty ? ")" : "):\n  \(why)\n") + "; nothing was created. Give it a file written by `accord export`")
        }
        var report = SyncReport(peer: source)
        report.eventsReceived = result.summary.accepted + result.summary.invalid
        report.rejectedReceived = result.summary.rejected
        report.rejectedReceivedByCode = result.rejectedByCode
        return report
    }

    /// A clone from a peer, by a pull-only sync.
    func clonePeer(_ peer: String, into log: EventLog, _ removeCreated: () -> Void) async throws -> SyncReport {
        let http = SyncSession.makeClient()
        let shown = progress.reporter("clone")
        var session = SyncSession(log: log, peer: peer, http: http)
        session.onBatch = { shown.add($0) }
        let s = session
        let result = await attempt { try await s.sync(push: false) }
        shown.finish()
        try? await http.shutdown()
        switch result {
        case .success(let r): return r
        case .failure(let error):
            if try log.eventCount() == 0 {
                // Nothing arrived: leave no empty node behind for later commands to mistake for one.
                removeCreated()
                throw CLIError(
                    "clone failed: \(error); nothing was created, check the URL and that the peer runs, then clone again",
                    underlying: error)
            }
            throw CLIError(
                "clone failed: \(error) (what arrived is kept; run `accord sync \(peer) --db \(db.path)` to resume)", underlying: error)
        }
    }

    /// The new node's key: --key when it does not already sign in this dataset, else a new
    /// device key beside the database. Returns what to tell the user.
    func deviceKey(_ log: EventLog) throws -> String {
        let path = key.key ?? db.deviceKeyPath
        if !FileManager.default.fileExists(atPath: path) { try KeyStore.create(SigningKey.generate(), path: path) }
        let k = try KeyStore.load(path: path)
        if let seq = try log.highestSeq(k.author.text) {
            throw CLIError(
                "\(path) already signs events in this dataset (up to seq \(seq), on another node); one key per node, or the chains fork: "
                    + "run clone without --key to get a device key for this node")
        }
        let member = try log.members().first { $0.key == k.author.text && $0.validThroughSeq == nil }
        var text = "this node signs with \(k.author.text) (key file \(path))"
        if member == nil {
            text += "; it is not a member yet: an admin runs\n  accord grant \(k.author.text) --role editor --name NAME"
        }
        return text
    }
}
