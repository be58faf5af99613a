import AccordCore
import Foundation
import Testing

/// The web UI in a real browser (Debian's Chromium through chromedriver) against real
/// `accord serve` processes: curators sign their own edits in the browser, an admin
/// grants them with the CLI, a conflict from another node is resolved in the page, and a
/// page on another site changes nothing. Screenshots of each step are kept in
/// `.build/artefacts/browser` (or $ACCORD_ARTEFACTS).
@Suite struct BrowserTests {
    static var artefacts: String {
        if let dir = ProcessInfo.processInfo.environment["ACCORD_ARTEFACTS"] { return dir + "/browser" }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/artefacts/browser").path
    }

    @Test func aCuratorSignsInTheBrowserResolvesAConflictAndACrossSitePostChangesNothing() async throws {
        let problems = try await CLI.onOwnThread(Self.scenario)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    static func scenario() throws -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ what: String) { if !ok { problems.append(what) } }
        let cli = CLI()
        defer { cli.remove() }
        func ok(_ args: [String]) throws -> String {
            let r = try cli.runBlocking(args)
            guard r.status == 0 else { throw TestFailure("accord \(args.joined(separator: " ")) failed: \(r.stderr)") }
            return r.stdout
        }
        _ = try ok(["init", "--seed", "--db", cli.path("hub.db"), "--key", try keygen(cli, "admin.key"), "--creator", "Ada Admin"])
        let hub = ServeProcess(
            arguments: ["serve", "--db", cli.path("hub.db"), "--key", cli.path("admin.key"), "--port", "0"], env: cli.env)
        try hub.start()
        defer { _ = hub.terminate() }
        let browser = try WebDriver(artefacts: artefacts)
        defer { browser.quit() }
        func record(_ symbol: String) throws -> JSONValue {
            try JSONParser.parse(Array((httpGet(hub.url + "/api/v1/record?symbol=" + symbol) ?? "").utf8))
        }

        // 1. The curator makes a key in the browser; the page says how an admin grants it.
        try browser.go(hub.url + "/key")
        try browser.wait(for: "!document.getElementById('key-none').hidden", "the key page")
        try browser.js("document.getElementById('key-create').click()")
        try browser.wait(for: "document.getElementById('key-public').textContent.startsWith('ed25519:')", "a key in the browser")
        guard let key = try browser.js("return document.getElementById('key-public').textContent").stringValue else {
            throw TestFailure("the key page shows no public key")
        }
        let grant = try browser.js("return document.getElementById('key-grant').textContent").stringValue ?? ""
        check(grant.hasPrefix("accord grant \(key) "), "the key page shows no grant command: \(grant)")
        try browser.screenshot("01-key-created")

        // 2. Before the grant, an edit is refused with why, and nothing changes.
        let symbol = "A%2FRES%2F73%2F11"
        let before = try record(symbol)
        try browser.go(hub.url + "/record?symbol=" + symbol)
        try browser.wait(for: "!document.querySelector('form[data-edit=set][data-field=summary]').hidden", "the edit forms")
        try setField(browser, "summary", "A stranger's summary")
        try browser.wait(for: "document.getElementById('edit-status').textContent.includes('not a member')", "the refusal")
        try browser.screenshot("02-refused-before-grant")
        check(try record(symbol)["summary"] == before["summary"], "an edit by a key that is no member changed the record")

        // 3. The admin grants the key with the CLI; the curator edits summary, topics, a link and a source.
        _ = try ok(["grant", key, "--name", "Cora Curator", "--db", cli.path("hub.db"), "--key", cli.path("admin.key")])
        try browser.go(hub.url + "/record?symbol=" + symbol)
        try browser.wait(for: "!document.querySelector('form[data-edit=set][data-field=summary]').hidden", "the edit forms")
        try setField(browser, "summary", "Reviews 71/19; edited and signed in the browser.")
        try waitUntil("the summary edit") {
            try record(symbol)["summary"]?.stringValue == "Reviews 71/19; edited and signed in the browser."
        }
        let page = hub.url + "/record?symbol=" + symbol
        try submit(browser, page, "tag", ["topics": "cyber security, border control"])
        try waitUntil("the new topics") { try record(symbol)["topics"]?.arrayValue?.contains("cyber security") == true }
        try submit(browser, page, "link", ["rel": "cites", "target": "S/RES/2178 (2014)"])
        try waitUntil("the new link") { try record(symbol)["links"]?.canonicalString.contains("S/RES/2178") == true }
        try submit(browser, page, "add-sources", ["url": "https://undocs.org/A/RES/73/11", "label": "UN Digital Library"])
        try waitUntil("the new source") { try record(symbol)["sources"]?.canonicalString.contains("undocs.org/A/RES/73/11") == true }
        try browser.go(hub.url + "/record?symbol=" + symbol)
        try browser.wait(for: "document.querySelector('table.history tbody tr')", "the history")
        try browser.screenshot("03-edited-in-the-browser")
        let newest = try browser.js("return document.querySelector('table.history tbody tr').innerText").stringValue ?? ""
        check(
            newest.contains("Cora Curator") && newest.contains("valid"),
            "history's newest row does not name the curator with a valid signature: \(newest)")
        let history = try JSONParser.parse(Array((httpGet(hub.url + "/api/v1/history?symbol=" + symbol) ?? "").utf8))
        let mine = history.arrayValue?.filter { $0["author"]?.stringValue == key } ?? []
        // The summary, two topics, the link and the source: five entries, each signed by the curator.
        check(
            mine.count == 5 && mine.allSatisfy { $0["signature"] == "valid" },
            "history does not hold the curator's 5 signed changes: \(mine.count)")

        // 3b. Two tabs of the same browser save the same field at once: one edit is signed and
        // saved, the other is told the field changed meanwhile; the key never signs two
        // events at one seq (a fork).
        let firstTab = try browser.currentTab()
        let secondTab = try browser.newTab()
        for tab in [firstTab, secondTab] {
            try browser.switchTo(tab)
            try browser.go(page)
            try browser.wait(for: "!document.querySelector('form[data-edit=set][data-field=title]').hidden", "the edit forms")
        }
        for (tab, text) in [(firstTab, "Title from the first tab"), (secondTab, "Title from the second tab")] {
            try browser.switchTo(tab)
            try setField(browser, "title", text)
        }
        try waitUntil("both tabs' answers") {
            let title = try record(symbol)["title"]?.stringValue ?? ""
            try browser.switchTo(secondTab)
            let said = try browser.js("return document.getElementById('edit-status').textContent").stringValue ?? ""
            try browser.switchTo(firstTab)
            let saidFirst = try browser.js("return document.getElementById('edit-status').textContent").stringValue ?? ""
            return title.hasPrefix("Title from the") && (said + saidFirst).contains("changed meanwhile")
        }
        try browser.screenshot("03b-second-tab-changed-meanwhile")
        check(httpGet(hub.url + "/api/v1/forks") == "[]", "two tabs made a fork: \(httpGet(hub.url + "/api/v1/forks") ?? "")")
        try browser.switchTo(secondTab)
        try browser.call("DELETE", browser.session + "/window")
        try browser.switchTo(firstTab)

        // 3c. A new record from the New record page; withdrawn, then restored.
        try submit(
            browser, hub.url + "/new", "add",
            ["symbol": "A/RES/80/99", "field:title": "A record added in the browser", "field:adopted": "2025-12-01"])
        try waitUntil("the new record") { try record("A%2FRES%2F80%2F99")["title"]?.stringValue == "A record added in the browser" }
        try submit(browser, hub.url + "/record?symbol=A%2FRES%2F80%2F99", "withdraw", ["reason": "added by mistake"])
        try waitUntil("the withdrawal") { try record("A%2FRES%2F80%2F99")["withdrawn"] == .bool(true) }
        try submit(browser, hub.url + "/record?symbol=A%2FRES%2F80%2F99", "restore", [:])
        try waitUntil("the restoration") { try record("A%2FRES%2F80%2F99")["withdrawn"] == .bool(false) }
        try browser.go(hub.url + "/record?symbol=A%2FRES%2F80%2F99")
        try browser.screenshot("03c-added-withdrawn-restored")

        // 4. A second curator on another node edits the same field; the nodes sync: a conflict.
        _ = try ok(["clone", hub.url, "--db", cli.path("laptop.db"), "--quiet"])
        let second = try ok(["whoami", "--key", cli.path("laptop.db.key")]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try ok(["grant", second, "--name", "Ben Second", "--db", cli.path("hub.db"), "--key", cli.path("admin.key")])
        _ = try ok(["sync", hub.url, "--db", cli.path("laptop.db"), "--quiet"])
        _ = try ok(["set", "A/RES/73/11", "notes", "Ben's note, written offline", "--db", cli.path("laptop.db")])
        try browser.go(hub.url + "/record?symbol=" + symbol)
        try browser.wait(for: "!document.querySelector('form[data-edit=set][data-field=notes]').hidden", "the edit forms")
        try setField(browser, "notes", "Cora's note, written on the hub")
        try waitUntil("Cora's note") { try record(symbol)["notes"]?.stringValue == "Cora's note, written on the hub" }
        _ = try? cli.runBlocking(["sync", hub.url, "--db", cli.path("laptop.db"), "--quiet"])
        try waitUntil("the conflict") { try record(symbol)["conflicts"]?["notes"]?.arrayValue?.count == 2 }

        // 5. The curator resolves it in the conflicts queue: "keep this value" on Ben's.
        try browser.go(hub.url + "/conflicts")
        try browser.wait(for: "!document.querySelector('form[data-edit=resolve]').hidden", "the conflicts queue")
        let queue = try browser.js("return document.querySelector('.conflict').innerText").stringValue ?? ""
        check(queue.contains("Ben Second") && queue.contains("Cora Curator"), "the conflicts queue does not name both curators: \(queue)")
        // The navigation counts the open conflicts on every page.
        let nav = try browser.js("return document.querySelector('header a[href=\"/conflicts\"]').innerText").stringValue ?? ""
        check(nav.contains("Conflicts") && nav.contains("1"), "the navigation does not count the open conflict: \(nav)")
        try browser.screenshot("04-conflict")
        try browser.js(
            "const li = [...document.querySelectorAll('ul.heads li')].find(l => l.innerText.includes('Ben')); li.querySelector('form button').click()"
        )
        try waitUntil("the resolution") {
            let r = try record(symbol)
            return r["notes"]?.stringValue == "Ben's note, written offline" && r["conflicts"]?.objectValue?.isEmpty == true
        }
        try browser.go(hub.url + "/record?symbol=" + symbol)
        try browser.screenshot("05-resolved")
        let navAfter = try browser.js("return document.querySelector('header a[href=\"/conflicts\"]').innerText").stringValue ?? ""
        check(navAfter.trimmingCharacters(in: .whitespaces) == "Conflicts", "the navigation still counts a conflict: \(navAfter)")

        // 6. A page on another site posts to the node: a form to the write endpoint and to the
        // old form route, and a script's fetch. Nothing changes.
        let count = httpGet(hub.url + "/health") ?? ""
        let evil = cli.path("evil.html")
        try """
        <!doctype html><html><body>
        <form id="a" method="post" action="\(hub.url)/api/v1/events" enctype="text/plain"><input name="x" value="y"></form>
        <form id="b" method="post" action="\(hub.url)/record/set"><input name="symbol" value="A/RES/73/11"><input name="field" value="notes"><input name="value" value="forged"></form>
        </body></html>
        """.write(toFile: evil, atomically: true, encoding: .utf8)
        for form in ["a", "b"] {
            try browser.go("file://" + evil)
            try browser.js("document.getElementById('\(form)').submit()")
            try browser.wait(for: "document.readyState === 'complete' && location.protocol === 'http:'", "the cross-site post's answer")
            let answer = try browser.js("return document.body.innerText").stringValue ?? ""
            check(
                answer.contains("Cross-site request") || answer.contains("nothing at /record/set"),
                "a cross-site form post was not refused: \(answer.prefix(300))")
            try browser.screenshot("06-cross-site-post-\(form)-refused")
        }
        check(httpGet(hub.url + "/health") == count, "a cross-site post changed the node")
        check(try record(symbol)["notes"]?.stringValue == "Ben's note, written offline", "a cross-site post changed the record")

        // 7. The admin imports their `accord keygen` key file into a browser of their own and
        // grants a new key from the members page; the curator's key may not grant.
        let newcomer = try ok(["keygen", "--out", cli.path("newcomer.key")]).trimmingCharacters(in: .whitespacesAndNewlines)
        func grantInPage(_ b: WebDriver, name: String) throws {
            try submit(b, hub.url + "/members", "grant", ["key": newcomer, "name": name, "role": "editor"])
        }
        try grantInPage(browser, name: "Granted by a curator")
        try browser.wait(for: "document.getElementById('edit-status').textContent.includes('Not saved')", "the curator's grant refused")
        check(!(httpGet(hub.url + "/api/v1/members") ?? "").contains("Granted by a curator"), "a curator's key granted a member")
        let admin = try WebDriver(artefacts: artefacts)
        defer { admin.quit() }
        try admin.go(hub.url + "/key")
        try admin.wait(for: "!document.getElementById('key-none').hidden", "the admin's key page")
        try admin.upload("#key-import", cli.path("admin.key"))
        try admin.wait(for: "document.getElementById('key-member').textContent.includes('Ada Admin')", "the imported admin key")
        let adminKey = try ok(["whoami", "--key", cli.path("admin.key")]).trimmingCharacters(in: .whitespacesAndNewlines)
        check(
            try admin.js("return document.getElementById('key-public').textContent").stringValue == adminKey,
            "the imported key is not the admin's")
        try admin.screenshot("07-admin-key-imported")
        try grantInPage(admin, name: "Nora Newcomer")
        try waitUntil("the grant from the admin's browser") { (httpGet(hub.url + "/api/v1/members") ?? "").contains("Nora Newcomer") }
        try admin.go(hub.url + "/members")
        try admin.screenshot("08-granted-from-the-browser")
        return problems
    }

    static func keygen(_ cli: CLI, _ name: String) throws -> String {
        let r = try cli.runBlocking(["keygen", "--out", cli.path(name)])
        guard r.status == 0 else { throw TestFailure("keygen failed: \(r.stderr)") }
        return cli.path(name)
    }

    /// Opens a field's edit box, types `text`, and signs and saves.
    static func setField(_ b: WebDriver, _ field: String, _ text: String) throws {
        try b.js(
            """
            const f = document.querySelector('form[data-edit=set][data-field=\(field)]');
            f.closest('details').open = true;
            f.elements.text.value = arguments[0];
            f.querySelector('button').click();
            """, [.string(text)])
    }

    /// Opens `page`, fills the named inputs of its `edit` form and submits it.
    static func submit(_ b: WebDriver, _ page: String, _ edit: String, _ values: [String: String]) throws {
        try b.go(page)
        try b.wait(
            for: "document.querySelector('form[data-edit=\"\(edit)\"]') && !document.querySelector('form[data-edit=\"\(edit)\"]').hidden",
            edit)
        try b.js(
            """
            const f = document.querySelector('form[data-edit="\(edit)"]');
            for (const [k, v] of Object.entries(arguments[0])) f.elements[k].value = v;
            f.querySelector('button').click();
            """, [.object(values.mapValues { .string($0) })])
    }

    static func waitUntil(_ what: String, timeout: TimeInterval = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(100_000)
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}
