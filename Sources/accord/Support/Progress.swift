import AccordCore
import ArgumentParser
import Foundation

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
final class ProgressReporter: @unchecked Sendable {
    let label: String
    let unit: String
    let enabled: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    // The fields below are guarded by `lock` (sync reports batches from the ingest thread).
    private let lock = NSLock()
    private var done = 0
    private var total: Int?
    private var lastDrawn: UInt64 = 0
    private var drawn = false

    init(label: String, unit: String = "events", enabled: Bool) {
        self.label = label
        self.unit = unit
        self.enabled = enabled
    }

    private var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// `done` of `total` so far.
    func update(_ done: Int, of total: Int?) {
        guard enabled else { return }
        lock.withLock {
            self.done = done
            self.total = total
            drawIfDue()
        }
    }

    /// `n` more done.
    func add(_ n: Int) {
        guard enabled else { return }
        lock.withLock {
            done += n
            drawIfDue()
        }
    }

    /// The final line, kept on screen.
    func finish() {
        guard enabled else { return }
        lock.withLock {
            guard drawn || done > 0 else { return }
            draw()
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    /// Call with `lock` held.
    private func drawIfDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDrawn > 250_000_000 else { return }
        lastDrawn = now
        draw()
    }

    /// Call with `lock` held.
    private func draw() {
        drawn = true
        let line = ProgressLine.text(label: label, done: done, total: total, unit: unit, seconds: seconds)
        // Carriage return and erase-line: the line is redrawn in place, as git does.
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }
}
