import AccordCore
import AccordServer
import AccordStore
import AccordSync
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

/// Runs `f` and captures its outcome.
func attempt<T>(_ f: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await f())
    } catch {
        return .failure(error)
    }
}

/// Parses `30s`, `5m`, `250ms` or a number of seconds.
func parseDuration(_ text: String) throws -> Duration {
    let t = text.trimmingCharacters(in: .whitespaces)
    func n(_ s: Substring) throws -> Double {
        guard let v = Double(s), v > 0 else { throw CLIError("bad duration \(text); use e.g. 30s, 5m, 1h, 250ms") }
        return v
    }
    if t.hasSuffix("ms") { return .milliseconds(Int(try n(t.dropLast(2)))) }
    if t.hasSuffix("s") { return .milliseconds(Int(try n(t.dropLast()) * 1000)) }
    if t.hasSuffix("m") { return .seconds(Int(try n(t.dropLast()) * 60)) }
    if t.hasSuffix("h") { return .seconds(Int(try n(t.dropLast()) * 3600)) }
    return .milliseconds(Int(try n(Substring(t)) * 1000))
}
