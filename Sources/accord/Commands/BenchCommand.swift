import AccordBench
import ArgumentParser
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine's limits and Accord's workloads against them (use a release build).",
        discussion: "Workloads: \(Bench.workloads.joined(separator: ", ")).")

    @Option(name: .long, help: "Events per workload (default 100000; author-durable uses at most 3000).")
    var events: Int = 100_000
    @Option(name: .long, help: "Events for clone-rss (peak memory of `accord clone`) and for the log proofs are served from.")
    var rssEvents: Int = 1_000_000
    @Option(name: .long, help: "Run only this workload (repeat for several); the workloads a ratio needs run too.")
    var workload: [String] = []
    @Option(name: .long, help: "Seconds the load workload runs (a soak when long).") var loadSeconds: Int = 30
    @Flag(name: .long, help: "Print one JSON object on stdout.") var json = false

    func run() async throws {
        if let unknown = workload.first(where: { !Bench.workloads.contains($0) }) {
            throw CLIError("unknown workload \(unknown); known: \(Bench.workloads.joined(separator: ", "))")
        }
        let bench = try Bench(events: events)
        bench.rssEvents = rssEvents
        guard loadSeconds > 0 else { throw CLIError("--load-seconds must be at least 1") }
        bench.loadSeconds = loadSeconds
        defer { bench.cleanUp() }
        let progress: (String) -> Void = { line in if !json { print(line) } else { printErr(line) } }
        var limits = bench.measureLimits()
        progress(limits.table)
        var results: [Bench.Result] = []
        for w in Bench.workloads where workload.isEmpty || workload.contains(w) {
            let r = try await bench.run(w)
            progress(r.row(limits: limits))
            results.append(r)
        }
        // Limits again after the workloads; the higher reading of each is kept (noise only slows),
        // so the ratios in the JSON are against the best the machine showed in this run.
        limits = limits.best(with: bench.measureLimits())
        progress("limits (best of before and after): " + limits.table)
        if !json { for r in results { progress(r.row(limits: limits)) } }
        if json { print(Bench.report(limits: limits, results: results)) }
    }
}
