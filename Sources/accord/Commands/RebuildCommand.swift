import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rebuild", abstract: "Drop and replay every read model from the log.")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let curation = try db.curation()
        let shown = progress.reporter("rebuild")
        try curation.log.rebuild(progress: shown.update)
        shown.finish()
        print("rebuilt from \(try curation.log.eventCount()) events; digest \(try curation.digest())")
    }
}
