import AccordCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A headless Chromium driven through `chromedriver` (W3C WebDriver over HTTP), each
/// session with a profile of its own: its own IndexedDB, so its own curator key.
/// Blocking: run it off the cooperative pool (see `BrowserTests`).
final class WebDriver {
    let driver = Process()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let base: String
    var session = ""
    let profile = NSTemporaryDirectory() + "accord-chromium-" + UUID().uuidString
    /// Where the screenshots go (kept after the test: they are its artefacts).
    let artefacts: String

    init(artefacts: String) throws {
        self.artefacts = artefacts
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        let port = Int.random(in: 20_000..<40_000)
        base = "http://127.0.0.1:\(port)"
        guard let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first(where: FileManager.default.isExecutableFile)
        else {
            throw TestFailure("chromedriver is not installed: run .ci/setup (it installs Debian's chromium and chromium-driver)")
        }
        driver.executableURL = URL(fileURLWithPath: path)
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        do {
            try startSession(port: port)
        } catch {
            quit()
            throw error
        }
    }

    private func startSession(port: Int) throws {
        let deadline = Date().addingTimeInterval(20)
        var last: (any Error)?
        while true {
            do {
                try call("GET", "/status")
                break
            } catch {
                last = error
            }
            guard Date() < deadline else { throw TestFailure("chromedriver did not start on port \(port): \(String(describing: last))") }
            usleep(100_000)
        }
        let capabilities: JSONValue = [
            "capabilities": [
                "alwaysMatch": [
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,1000",
                            .string("--user-data-dir=" + profile),
                        ],
                    ]
                ]
            ]
        ]
        let answer = try call("POST", "/session", capabilities)
        guard let id = answer["sessionId"]?.stringValue else { throw TestFailure("no WebDriver session: \(answer.canonicalString)") }
        session = "/session/" + id
    }

    /// One WebDriver command; its `value`.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil) throws -> JSONValue {
        // chromedriver writes headers without a space after the colon, which Foundation's
        // URLSession on Linux refuses ("Failed writing header"); NIO's parser takes them.
        var request = try HTTPClient.Request(url: base + path, method: HTTPMethod(rawValue: method))
        if let body {
            request.body = .bytes(body.canonicalBytes)
            request.headers.add(name: "content-type", value: "application/json")
        }
        let response = try http.execute(request: request, deadline: NIODeadline.now() + TimeAmount.seconds(60)).wait()
        let status = Int(response.status.code)
        let data = response.body.map { Array($0.readableBytesView) } ?? []
        let json = try JSONParser.parse(data)
        guard status == 200 else { throw TestFailure("WebDriver \(method) \(path): \(status) \(json.canonicalString.prefix(400))") }
        return json["value"] ?? .null
    }

    func go(_ url: String) throws { try call("POST", session + "/url", ["url": .string(url)]) }

    /// Runs `script` in the page (its `arguments` are `args`) and returns what it returns.
    @discardableResult
    func js(_ script: String, _ args: [JSONValue] = []) throws -> JSONValue {
        try call("POST", session + "/execute/sync", ["script": .string(script), "args": .array(args)])
    }

    /// Opens a new tab of this browser (same profile, same key) and returns its handle.
    func newTab() throws -> String {
        guard let handle = try call("POST", session + "/window/new", ["type": "tab"])["handle"]?.stringValue else {
            throw TestFailure("no new tab")
        }
        return handle
    }

    func currentTab() throws -> String {
        guard let handle = try call("GET", session + "/window").stringValue else { throw TestFailure("no current tab") }
        return handle
    }

    func switchTo(_ handle: String) throws { try call("POST", session + "/window", ["handle": .string(handle)]) }

    /// Chooses `file` in the page's file input `selector`, as a user picking it would.
    func upload(_ selector: String, _ file: String) throws {
        let found = try call("POST", session + "/element", ["using": "css selector", "value": .string(selector)])
        guard let id = found["element-6066-11e4-a52e-4f735466cecf"]?.stringValue else {
            throw TestFailure("no element \(selector): \(found.canonicalString)")
        }
        try call("POST", session + "/element/\(id)/value", ["text": .string(file)])
    }

    /// Waits until `condition` (a script expression) is true in the page.
    func wait(for condition: String, timeout: TimeInterval = 20, _ what: String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? js("return !!(\(condition))")) == .bool(true) { return }
            usleep(100_000)
        }
        throw TestFailure(
            "timed out waiting for \(what); the page says: \((try? js("return document.body.innerText").stringValue?.prefix(600)) ?? "")")
    }

    /// Saves a PNG of the window as `name`.png among the artefacts.
    func screenshot(_ name: String) throws {
        guard let png = try call("GET", session + "/screenshot").stringValue, let data = Data(base64Encoded: png) else {
            throw TestFailure("no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: artefacts + "/" + name + ".png"))
    }

    func quit() {
        if !session.isEmpty { _ = try? call("DELETE", session) }
        if driver.isRunning {
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
        }
        try? http.syncShutdown()
        try? FileManager.default.removeItem(atPath: profile)
    }
}
