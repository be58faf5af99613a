import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct LogListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the events of the log in order (the default).")
    @OptionGroup var dbOptions: DatabaseOptions
    @Flag(name: .long, help: "One JSON object per event, as a JSON array.") var json = false

    struct Entry: Codable {
        let pos: Int64, id: String, author: String, seq: Int, time: String, type: String
        let subject: String?
        let redacted: Bool
    }

    func run() throws {
        let log = try dbOptions.open()
        if json { print("[", terminator: "") }
        var first = true
        try log.forEachChunk { chunk in
            var out = ""
            for e in chunk {
                if json {
                    let entry = Entry(
                        pos: e.pos, id: e.id, author: e.author, seq: e.seq, time: e.time, type: e.type, subject: e.subject,
                        redacted: e.bodyBytes == nil)
                    let enc = JSONEncoder()
                    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    out += (first ? "\n" : ",\n") + String(decoding: try enc.encode(entry), as: UTF8.self)
                    first = false
                } else {
                    out +=
                        "\(e.pos)\t\(e.time)\t\(e.author.prefix(20))…#\(e.seq)\t\(e.type)\t\(e.subject?.oneLine ?? "-")\t\(e.id.prefix(16))\n"
                }
            }
            print(out, terminator: "")
        }
        if json { print("\n]") }
    }
}
