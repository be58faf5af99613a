public import AccordCore
import Foundation
import GRDB
import Synchronization

/// Group commit: writers in one process that arrive together share one write transaction
/// and its one sync to disk.
///
/// Each caller's events are size-, hash- and signature-checked on the caller's task. The
/// first caller that finds no group being written becomes the leader: it takes every
/// caller waiting at that moment (at most `maxGroupEvents` events), appends their events
/// together (and, should that fail, each caller's in its own savepoint, so that a caller
/// whose append fails is rolled back alone), commits
/// once, and only then answers every caller of the group; it goes on with whoever arrived
/// meanwhile. With `synchronous = FULL` (a durable log) an answer means the events are on
/// disk; a commit that fails answers every caller of its group with the error and stores
/// none of their events.
public final class GroupCommit: Sendable {
    public let log: EventLog
    /// Most events one group takes; callers beyond wait for the next group.
    public let maxGroupEvents: Int

    private struct State {
        var waiting: [Ticket] = []
        /// Whether a task is committing groups (it takes whoever arrives meanwhile).
        var leading = false
        var groupCount = 0
        var groupedWriters = 0
    }
    private let state = Mutex(State())

    public init(log: EventLog, maxGroupEvents: Int = 4096) {
        self.log = log
        self.maxGroupEvents = maxGroupEvents
    }

    /// How many groups committed and how many writers they carried (writers per group is
    /// the sync work saved).
    public var statistics: (groups: Int, writers: Int) { state.withLock { ($0.groupCount, $0.groupedWriters) } }

    /// Writers waiting for a group to take them.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Checks and appends `lines` (wire-form events) as one writer of a group; returns
    /// each line's outcome once the group has committed. With `atomic` (an edit request),
    /// the writer's events are stored whole or not at all: when any is refused or would be
    /// stored without effect, none is, and the others answer `not-stored`.
    public func ingest(lines: [[UInt8]], limits: EventLimits = .standard, atomic: Bool = false) async throws -> [IngestOutcome] {
        let admission = try await log.pool.read { db in try EventLog.admission(db) }
        admission.receive(lines.count)
        admission.learnGrants(in: lines, limits: limits, validate: log.validatePayload)
        let checked = log.check(lines, limits: limits, admission: admission, parallel: false)
        if atomic, checked.contains(where: { if case .failure = $0 { true } else { false } }) {
            return Self.undone(
                checked.map { r in
                    switch r {
                    case .success(let e): return .accepted(id: e.id)
                    case .failure(let why): return .rejected(why)
                    }
                })
        }
        let ticket = Ticket(checked: checked, atomic: atomic)
        let lead = state.withLock { s in
            s.waiting.append(ticket)
            if s.leading { return false }
            s.leading = true
            return true
        }
        if lead { await commitNextGroup() }
        // A writer waits for its group, or is handed the lead for the next one (structured:
        // the group is committed on a writer's own task, never on a task of its own).
        while true {
            switch await ticket.next() {
            case .done(let result): return try result.get()
            case .lead: await commitNextGroup()
            }
        }
    }

    /// Commits the next group; when writers arrived meanwhile, hands the lead to the first
    /// of them, so that no writer's answer waits for groups after its own.
    private func commitNextGroup() async {
        let group: [Ticket] = state.withLock { s in
            var taken = 0
            var k = 0
            while k < s.waiting.count, k == 0 || taken + s.waiting[k].checked.count <= maxGroupEvents {
                taken += s.waiting[k].checked.count
                k += 1
            }
            let group = Array(s.waiting.prefix(k))
            s.waiting.removeFirst(k)
            return group
        }
        let log = self.log
        var results: [Result<[IngestOutcome], any Error>]
        do {
            results = try await log.pool.write { db in
                // The group's events in one append (one projection pass); should it fail,
                // each writer's alone, so that one writer's failure is its own.
                var together: [IngestOutcome]?
                try? db.inSavepoint {
                    let outcomes = try log.appendChecked(group.flatMap(\.checked), db: db)
                    // An atomic writer with a refusal: undo the pass, take each writer alone.
                    var rest = outcomes[...]
                    for ticket in group {
                        if ticket.atomic && Self.refuses(rest.prefix(ticket.checked.count)) { return .rollback }
                        rest = rest.dropFirst(ticket.checked.count)
                    }
                    together = outcomes
                    return .commit
                }
                if var rest = together?[...] {
                    return group.map { ticket in
                        defer { rest = rest.dropFirst(ticket.checked.count) }
                        return .success(Array(rest.prefix(ticket.checked.count)))
                    }
                }
                return group.map { ticket in
                    Result {
                        var outcomes: [IngestOutcome] = []
                        try db.inSavepoint {
                            outcomes = try log.appendChecked(ticket.checked, db: db)
                            if ticket.atomic && Self.refuses(outcomes[...]) {
                                outcomes = Self.undone(outcomes)
                                return .rollback
                            }
                            return .commit
                        }
                        return outcomes
                    }
                }
            }
        } catch {
            results = group.map { _ in .failure(error) }
        }
        // A redaction in the group: its erased text leaves the WAL before anyone hears
        // "accepted". The group is committed whatever this does; a failure is said to
        // the writers that were accepted, as the redaction's guarantee is not met yet.
        do {
            try await log.scrubIfRedacted()
        } catch {
            results = results.map { r in r.flatMap { _ in .failure(error) } }
        }
        state.withLock { s in
            s.groupCount += 1
            s.groupedWriters += group.count
        }
        for (ticket, result) in zip(group, results) {
            ticket.resolve(result.mapError { StorageFullError($0) ?? $0 })
        }
        let next: Ticket? = state.withLock { s in
            if s.waiting.isEmpty { s.leading = false }
            return s.waiting.first
        }
        next?.lead()
    }

    /// Whether any outcome is a refusal or an event stored without effect.
    static func refuses(_ outcomes: ArraySlice<IngestOutcome>) -> Bool {
        outcomes.contains { o in
            switch o {
            case .rejected, .invalid: return true
            case .accepted, .duplicate: return false
            }
        }
    }

    /// The outcomes of an atomic writer that was not stored: the refusals say why, the
    /// events that would have been stored are `not-stored`.
    static func undone(_ outcomes: [IngestOutcome]) -> [IngestOutcome] {
        outcomes.map { o in
            switch o {
            case .accepted(let id):
                return .rejected(
                    EventRejection(
                        .notStored,
                        "event \(id.prefix(12)) was not stored: another event of this request was refused, and a request is stored whole or not at all"
                    ))
            case .invalid(_, let reason): return .rejected(EventRejection(.unauthorized, reason))
            case .rejected, .duplicate: return o
            }
        }
    }

    /// One writer's checked events and, once its group commits, their outcomes.
    final class Ticket: Sendable {
        let checked: [Result<SignedEvent, EventRejection>]
        /// Stored whole or not at all.
        let atomic: Bool
        /// What a waiting writer is woken for.
        enum Turn: Sendable {
            case done(Result<[IngestOutcome], any Error>)
            /// Commit the next group (it holds this writer's events).
            case lead
        }
        private struct State {
            var result: Result<[IngestOutcome], any Error>?
            var leadAsked = false
            var waiter: CheckedContinuation<Turn, Never>?
        }
        private let state = Mutex(State())

        init(checked: [Result<SignedEvent, EventRejection>], atomic: Bool = false) {
            self.checked = checked
            self.atomic = atomic
        }

        func resolve(_ r: Result<[IngestOutcome], any Error>) {
            let w: CheckedContinuation<Turn, Never>? = state.withLock { s in
                s.result = r
                defer { s.waiter = nil }
                return s.waiter
            }
            w?.resume(returning: .done(r))
        }

        func lead() {
            let w: CheckedContinuation<Turn, Never>? = state.withLock { s in
                guard let w = s.waiter else {
                    s.leadAsked = true
                    return nil
                }
                s.waiter = nil
                return w
            }
            w?.resume(returning: .lead)
        }

        func next() async -> Turn {
            await withCheckedContinuation { cont in
                let ready: Turn? = state.withLock { s in
                    if let result = s.result { return .done(result) }
                    if s.leadAsked {
                        s.leadAsked = false
                        return .lead
                    }
                    s.waiter = cont
                    return nil
                }
                if let ready { cont.resume(returning: ready) }
            }
        }
    }
}
