import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Check that a node answers (exit 0) — for container health checks.")
    @Argument var url: String = "http://127.0.0.1:8080"

    func run() async throws {
        let http = SyncSession.makeClient()
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let result = await attempt { try await http.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(5)) }
        try? await http.shutdown()
        switch result {
        case .success(let r) where r.status == .ok: print("ok")
        case .success(let r): throw CLIError("\(base) answered \(r.status.code)")
        case .failure(let e): throw CLIError("\(base) does not answer: \(e)")
        }
    }
}
