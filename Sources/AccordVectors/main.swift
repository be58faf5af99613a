import AccordCore
import Foundation

// Writes Events/vectors/: the golden event vectors the tests check (a maintainer tool,
// not part of `accord`). Run from the repository root: `swift run accord-vectors [DIR]`.
let dir = CommandLine.arguments.dropFirst().first ?? "Events/vectors"
do {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for v in TestVectors.all() {
        let path = dir + "/" + v.name + ".json"
        try Data(Array(v.json.prettyString().utf8)).write(to: URL(fileURLWithPath: path))
        print(path)
    }
} catch {
    FileHandle.standardError.write(Data("accord-vectors: \(error)\n".utf8))
    exit(1)
}
