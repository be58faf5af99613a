import AccordCore
import GRDB

/// One write transaction's projection. Appended events are collected per part; `stage`
/// hands them to the read models that store as they go (and holds them for the others),
/// `flush` ends the projection of everything appended so far.
final class PendingProjection {
    let projectors: [any Projector]
    /// Appended since the last `stage`.
    var events: [ProjectedEvent] = []
    private var stages: [(any ProjectionStage)?]
    /// For each read model without a stage: its events, held until `flush`.
    private var held: [[ProjectedEvent]]

    init(_ projectors: [any Projector]) {
        self.projectors = projectors
        stages = projectors.map { $0.makeStage() }
        held = projectors.map { _ in [] }
    }

    func stage(db: Database) throws {
        guard !events.isEmpty else { return }
        for (k, p) in projectors.enumerated() {
            let read = p.ownEvents(events)
            if read.isEmpty { continue }
            if let stage = stages[k] { try stage.add(read, db: db) } else { held[k] += read }
        }
        events.removeAll(keepingCapacity: true)
    }

    func flush(db: Database) throws {
        try stage(db: db)
        for (k, p) in projectors.enumerated() {
            if let stage = stages[k] {
                try stage.finish(db: db)
            } else if !held[k].isEmpty {
                try p.apply(held[k], db: db)
                held[k] = []
            }
        }
    }

    /// The transaction rolled back: what it staged is gone with it.
    func discard() {
        events = []
        stages = projectors.map { $0.makeStage() }
        held = projectors.map { _ in [] }
    }
}
