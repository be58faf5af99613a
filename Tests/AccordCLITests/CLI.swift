import Foundation
import Testing

/// Runs the built `accord` binary, as a user would.
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: String {
        if let p = ProcessInfo.processInfo.environment["ACCORD_BIN"] { return p }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent(), beside.deletingLastPathComponent().deletingLastPathComponent()] {
            let p = dir.appendingPathComponent("accord").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/accord").path
    }

    let dir: String
    var env: [String: String]

    init() {
        dir = NSTemporaryDirectory() + "accord-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var e = ProcessInfo.processInfo.environment
        e["XDG_CONFIG_HOME"] = dir + "/config"
        e["ACCORD_KEY"] = nil
        e["ACCORD_DB"] = nil
        env = e
    }

    func path(_ name: String) -> String { dir + "/" + name }

    @discardableResult
    func run(_ args: [String], stdin: [UInt8]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.environment = env
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = inPipe
        try p.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes while the process runs so a large output cannot block it.
        nonisolated(unsafe) var errData = Data()
        let t = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        t.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !t.isFinished { usleep(1000) }
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    func ok(_ args: [String], stdin: [UInt8]? = nil) throws -> String {
        let r = try run(args, stdin: stdin)
        #expect(r.status == 0, "accord \(args.joined(separator: " ")) failed: \(r.stderr)")
        return r.stdout
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}
