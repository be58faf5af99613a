import AccordCore
import ArgumentParser
import Foundation
import Synchronization

/// `--quiet` and `--progress`: long commands show progress on stderr when it is a terminal.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .long, help: "Show no progress.") var quiet = false
    @Flag(name: .long, help: "Show progress on stderr even when it is not a terminal.") var progress = false

    /// A reporter for `label`; silent unless stderr is a terminal or --progress, and under
    /// --quiet. (--json keeps stdout clean either way: progress goes to stderr.)
    func reporter(_ label: String, unit: String = "events") -> ProgressReporter {
        ProgressReporter(label: label, unit: unit, enabled: !quiet && (progress || isatty(STDERR_FILENO) == 1))
    }
}

/// Progress of one long command, redrawn in place on stderr at most four times a second.
final class ProgressReporter: Sendable {
    let label: String
    let unit: String
    let enabled: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    /// Sync reports batches from the ingest thread.
    private struct State {
        var done = 0
        var total: Int?
        var lastDrawn: UInt64 = 0
        var drawn = false
    }
    private let state = Mutex(State())

    init(label: String, unit: String = "events", enabled: Bool) {
        self.label = label
        self.unit = unit
        self.enabled = enabled
    }

    private var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// `done` of `total` so far.
    func update(_ done: Int, of total: Int?) {
        guard enabled else { return }
        state.withLock { s in
            s.done = done
            s.total = total
            drawIfDue(&s)
        }
    }

    /// `n` more done.
    func add(_ n: Int) {
        guard enabled else { return }
        state.withLock { s in
            s.done += n
            drawIfDue(&s)
        }
    }

    /// The final line, kept on screen.
    func finish() {
        guard enabled else { return }
        state.withLock { s in
            guard s.drawn || s.done > 0 else { return }
            draw(&s)
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private func drawIfDue(_ s: inout State) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - s.lastDrawn > 250_000_000 else { return }
        s.lastDrawn = now
        draw(&s)
    }

    private func draw(_ s: inout State) {
        s.drawn = true
        let line = ProgressLine.text(label: label, done: s.done, total: s.total, unit: unit, seconds: seconds)
        // Carriage return and erase-line: the line is redrawn in place, as git does.
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }
}
