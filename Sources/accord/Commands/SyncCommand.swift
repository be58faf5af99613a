import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull from a peer, then push to it; print what moved.",
        discussion: """
            Exits 1, with the reason and the next step, when the sync failed, when either node refused events, \
            when a key was found signing on two nodes (a fork), or when the nodes still differ afterwards. \
            With --json, stdout holds the report or {"error": ...}.
            """)
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The peer's base URL, e.g. http://127.0.0.1:8080.") var url: String
    @Flag(name: .long, help: "Print the report (or the error) as JSON.") var json = false
    @Option(name: .long, help: "Events per page.") var pageEvents: Int = SyncProtocol.defaultPageEvents
    @OptionGroup var progress: ProgressOptions
    @OptionGroup var witnesses: WitnessOptions
    @Option(name: .long, help: "The key this node witnesses the peer's log with (default: the node's device key DB.key, when it exists).")
    var key: String?

    func run() async throws {
        let peer: String
        do {
            peer = try PeerURL.validate(url)
        } catch {
            throw CLIError(error.description)
        }
        guard pageEvents > 0 else { throw CLIError("--page-events must be at least 1") }
        let log = try db.open()
        let http = SyncSession.makeClient()
        var session = SyncSession(log: log, peer: peer, http: http)
        session.pageEvents = pageEvents
        session.witnessPolicy = try witnesses.policy
        let keyPath = key ?? db.deviceKeyPath
        if key != nil || FileManager.default.fileExists(atPath: keyPath) { session.witnessKey = try KeyStore.load(path: keyPath) }
        let shown = progress.reporter("sync (received)")
        session.onBatch = { shown.add($0) }
        let s = session
        let result = await attempt { try await s.sync() }
        shown.finish()
        try? await http.shutdown()
        switch result {
        case .success(let report):
            try? log.recordPeer(
                url: peer, ok: report.problem == nil, result: report.problem.map { "\($0) [\(report.summary)]" } ?? report.summary)
            print(json ? jsonString(report) : report.summary)
            if let problem = report.problem {
                if !json {
                    for r in report.refusals { printErr("  " + r) }
                    printErr("Error: sync incomplete: " + problem)
                }
                throw ExitCode(1)
            }
        case .failure(let error):
            try? log.recordPeer(url: peer, ok: false, result: "\(error)")
            throw CLIError("sync failed: \(error)", underlying: error)
        }
    }
}
