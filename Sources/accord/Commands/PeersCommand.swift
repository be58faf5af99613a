import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "The last sync result per peer.")
    @OptionGroup var db: DatabaseOptions
    @Flag(name: .long) var json = false

    func run() throws {
        let peers = try db.open().peers()
        if json {
            print(jsonString(peers))
            return
        }
        if peers.isEmpty { print("no peers synced yet") }
        for p in peers {
            let state =
                p.failures > 0 ? "FAILING (\(p.failures) in a row, last attempt \(p.lastAttempt ?? "-"))" : "ok at \(p.lastAttempt ?? "-")"
            print("\(p.url)  \(state), last success \(p.lastSuccess ?? "never")\n    \(p.lastResult?.oneLine ?? "")")
        }
    }
}
