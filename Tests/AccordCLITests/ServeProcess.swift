import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An `accord serve` process started from the built binary, whose log is read to learn
/// the port it bound.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let arguments: [String]
    private let lock = NSLock()
    private var output = ""
    private(set) var url = ""

    init(arguments: [String], env: [String: String]) {
        self.arguments = arguments
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.environment = env
    }

    var log: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    func start(timeout: TimeInterval = 30) throws {
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.lock()
            self.output += String(decoding: d, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let r = log.range(of: "url=http") {
                url = "http" + log[r.upperBound...].prefix { !$0.isWhitespace }
                return
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        throw TestFailure("accord serve did not start: \(log)")
    }

    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// GET a URL's body (for health and digest checks).
func httpGet(_ url: String) -> String? {
    let sem = DispatchSemaphore(value: 0)
    let body = Mutex<String?>(nil)
    var request = URLRequest(url: URL(string: url)!)
    request.timeoutInterval = 5
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if let data, (response as? HTTPURLResponse)?.statusCode == 200 { body.withLock { $0 = String(decoding: data, as: UTF8.self) } }
        sem.signal()
    }.resume()
    sem.wait()
    return body.withLock { $0 }
}
