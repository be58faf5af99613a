import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine's limits and Accord's workloads against them (use a release build).",
        discussion: "Workloads: \(Bench.workloads.joined(separator: ", ")).")

    @Option(name: .long, help: "Events per workload (default 100000; author-durable uses at most 3000).")
    var events: Int = 100_000
    @Option(name: .long, help: "Run only this workload.") var workload: String?
    @Flag(name: .long, help: "Print one JSON object on stdout.") var json = false

    func run() throws {
        if let workload, !Bench.workloads.contains(workload) {
            throw CLIError("unknown workload \(workload); known: \(Bench.workloads.joined(separator: ", "))")
        }
        let bench = try Bench(events: events)
        defer { bench.cleanUp() }
        let progress: (String) -> Void = { line in if !json { print(line) } else { printErr(line) } }
        let limits = bench.measureLimits()
        progress(limits.table)
        var results: [Bench.Result] = []
        for w in Bench.workloads where workload == nil || workload == w {
            let r = try bench.run(w)
            progress(r.row(limits: limits))
            results.append(r)
        }
        if json { print(Bench.report(limits: limits, results: results)) }
    }
}
