import AccordCore
import AccordStore
import Foundation

/// `refused-lines`: what a refused line costs the node, by whose key it names. A flood of
/// lines with forged signatures that name a stranger's key, a member's key at a seq that
/// could follow, and a member's key at a seq that cannot: CPU time per line (user and
/// system, all threads), same run. The goal is that naming a member costs no more than
/// naming a stranger.
extension Bench {
    func refusedLines() throws -> Result {
        let log = try freshLog("refused-lines")
        let member = SigningKey.fixed("bench-refused-member")
        _ = try log.author(
            [.genesis(name: "bench"), AuthorizationEvent.granted(key: member.author, role: .editor, name: "Member").draft], key: author)
        let dataset = try log.datasetID()!
        let stranger = SigningKey.fixed("bench-refused-stranger")
        let n = max(1_000, min(events, 100_000))
        let forged = String(repeating: "A", count: 86)
        let now = HybridLogicalClock.wallMillis()
        func flood(_ key: SigningKey, seq: (Int) -> Int) -> [[UInt8]] {
            (0..<n).map { i in
                // The event curators write most: a field edit, salted as a node writes it.
                let edit = DomainEvent.fieldSet(
                    try! ResolutionSymbol(parsing: "A/RES/71/\(i % 500 + 1)"), field: .notes,
                    value: .string("checked against the PDF, pass \(i)"),
                    base: [])
                let e = UnsignedEvent(
                    draft: edit.draft.salted(), dataset: dataset, author: key.author, seq: seq(i),
                    prev: seq(i) > 1 ? String(repeating: "0", count: 64) : nil, time: HLCTime(millis: now))
                return WireFormat.line(envelope: e.canonicalEnvelope, signature: forged, body: e.bodyBytes)
            }
        }
        let kinds: [(String, [[UInt8]])] = [
            ("stranger", flood(stranger) { $0 + 1 }),
            ("member-next-seq", flood(member) { _ in 1 }),
            ("member-gap", flood(member) { $0 + 1_000_000 }),
        ]
        var perLine: [String: Double] = [:]
        var extra: [String: JSONValue] = [:]
        for (kind, lines) in kinds {
            // Best of three: noise only slows.
            var best = Double.infinity
            for _ in 0..<3 {
                let before = Self.cpuSeconds()
                let out = try log.ingest(lines: lines)
                best = min(best, Self.cpuSeconds() - before)
                guard out.allSatisfy({ if case .rejected = $0 { true } else { false } }) else {
                    throw BenchError("refused-lines: a forged \(kind) line was taken")
                }
            }
            perLine[kind] = best / Double(n) * 1e6
            extra[kind + "CPUMicrosPerLine"] = .number((best / Double(n) * 1e7).rounded() / 10)
        }
        let worstMember = max(perLine["member-next-seq"]!, perLine["member-gap"]!)
        extra["memberToStrangerCPU"] = .number((worstMember / perLine["stranger"]! * 100).rounded() / 100)
        extra["unit"] = "lines"
        return Result(
            workload: "refused-lines", events: n * kinds.count, seconds: perLine.values.reduce(0, +) * Double(n) / 1e6, extra: extra)
    }

    /// CPU time of this process so far (user and system, every thread).
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
