import AccordCore
import AccordTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The hostile corpus through every authoring path (the CLI's arguments, CSV and JSON
/// record imports, the edit API a browser signs for) into every sink (the CLI's human and
/// `--json` output, CSV and NDJSON exports, HTML pages, the node's log): no sink emits a
/// character a terminal acts on, no CSV cell runs as a formula, exports keep the exact text.
@Suite struct HostileTextTests {
    static let joined = HostileCorpus.all.dropLast().joined(separator: " | ")
    static let markup = "<script>alert(1)</script> \"><img src=x onerror=alert(1)>"

    @Test func everyHostileStringThroughEveryPathReachesNoSinkRaw() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await HostileNetworkTests.seeded(cli)
        let admin = ["--key", cli.path("admin")] + node.read
        // Authoring paths: the command line ...
        _ = try await cli.ok(["set", "A/RES/71/19", "notes", Self.joined + " " + Self.markup] + admin)
        _ = try await cli.ok(["set", "A/RES/73/11", "notes", HostileCorpus.atLimit] + admin)
        _ = try await cli.ok(["tag", "A/RES/71/19", "esc \u{1B}[2J topic", "bidi \u{202E}topic"] + admin)
        _ = try await cli.ok(["source", "A/RES/71/19", "https://example.org/x", "--label", "label \u{1B}]0;pwned\u{07} \u{202E}"] + admin)
        let stranger = try await cli.ok(["keygen", "--out", cli.path("named")]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await node.admin(["grant", stranger, "--role", "editor", "--name", "Mal \u{1B}[31mlory\r\nsignature valid"])
        // ... a CSV import (formula cells, CRLF, a byte-order mark) ...
        let csv = "\u{FEFF}" + CSV.encode([["symbol", "summary"], ["S/RES/2178 (2014)", Self.joined]])
        try Data(csv.utf8).write(to: URL(fileURLWithPath: cli.path("in.csv")))
        _ = try await cli.ok(["import-records", cli.path("in.csv")] + admin)
        // ... a JSON import ...
        let records = [["symbol": "S/RES/2322 (2016)", "interpolRole": Self.joined]]
        try JSONSerialization.data(withJSONObject: records).write(to: URL(fileURLWithPath: cli.path("in.json")))
        _ = try await cli.ok(["import-records", cli.path("in.json")] + admin)
        // ... and the edit API, signed by the client as the browser signs.
        let server = try await serve(cli, ["--db", node.db, "--key", cli.path("admin")])
        defer { _ = server.terminate() }
        let editor = try node.key("editor")
        let set = DomainEvent.fieldSet(try ResolutionSymbol(parsing: "A/RES/72/1"), field: .text, value: .string(Self.joined), base: [])
        let line = try await HostileNetworkTests().next(node, editor, set.draft)
        let (status, answer, _) = await HostileNetworkTests.post(server.url + "/api/v1/events", Data(line + [0x0A]))
        #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")

        // CLI sinks, human and JSON.
        var outputs: [String: String] = [:]
        for args in [
            ["show", "A/RES/71/19"], ["show", "A/RES/72/1"], ["show", "S/RES/2178"], ["show", "S/RES/2322"], ["show", "A/RES/73/11"],
            ["history", "A/RES/71/19"], ["history", "S/RES/2178"], ["history", "A/RES/72/1"], ["search", "signature"], ["log"],
            ["list"], ["members"], ["show", "A/RES/71/19", "--json"], ["history", "A/RES/72/1", "--json"], ["members", "--json"],
            ["search", "signature", "--json"], ["log", "--json"],
        ] {
            let r = try await cli.run(args + node.read)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            outputs[args.joined(separator: " ")] = r.stdout + r.stderr
        }
        for (command, text) in outputs {
            #expect(!HostileCorpus.hasUnsafe(text), "\(command) printed a raw control: \(text.debugDescription.prefix(300))")
            // No value starts a line of its own.
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("signature valid") }, "\(command)")
        }
        // The human output shows what is there, visibly.
        #expect(outputs["show A/RES/71/19"]!.contains("\\u001b[2J"))
        #expect(outputs["show A/RES/71/19"]!.contains("\\u202e"))
        #expect(outputs["members"]!.contains("Mal \\u001b[31mlory\\u000d\\u000asignature valid"))
        // --json stays exact JSON with the exact values.
        let shown = try JSONSerialization.jsonObject(with: Data(outputs["show A/RES/71/19 --json"]!.utf8)) as? [String: Any]
        #expect(shown?["notes"] as? String == Self.joined + " " + Self.markup)
        // CSV export: no cell a spreadsheet runs; re-reading gives the exact values back.
        let export = try await cli.ok(["export-records", "--format", "csv"] + node.read)
        for row in try CSV.decodeWithoutRestoring(export) {
            for cell in row { #expect(!"=+-@\t\r".unicodeScalars.contains(cell.unicodeScalars.first ?? " "), "\(cell.prefix(40))") }
        }
        #expect(try CSV.decode(export).contains { $0.contains(Self.joined) })
        // NDJSON export: the signed bytes, exact (verify checks every signature).
        _ = try await cli.ok(["export", "--out", cli.path("log.ndjson")] + node.read)
        #expect(try String(contentsOfFile: cli.path("log.ndjson"), encoding: .utf8).contains("\\u001b[2J"))
        #expect(try await cli.ok(["verify"] + node.read).contains("ok"))
        // HTML: markup is text, never markup.
        for page in ["/record?symbol=A/RES/71/19", "/record?symbol=A/RES/72/1", "/search?q=signature", "/members"] {
            let html = httpGet(server.url + page) ?? ""
            #expect(!html.isEmpty, "\(page)")
            #expect(!html.contains("<script>alert(1)") && !html.contains("<img src=x"), "\(page)")
        }
        #expect((httpGet(server.url + "/record?symbol=A/RES/71/19") ?? "").contains("&lt;script&gt;alert(1)"))
        // The node's log: requests whose paths and bodies carry the corpus forge no line.
        _ = httpGet(server.url + "/record?symbol=%1B%5B2J%0D%0Asignature%20valid")
        _ = await HostileNetworkTests.post(server.url + "/sync/v1/push", Data(("\u{1B}]0;pwned\u{07}\r\nsignature valid\n").utf8))
        let log = server.log
        #expect(!HostileCorpus.hasUnsafe(log), "\(log.debugDescription.suffix(600))")
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("signature valid") })
    }

    /// Export then re-import changes nothing, for every string of the corpus in every text
    /// field, topic and source label, in CSV and JSON.
    @Test func exportThenReimportIsTheIdentityForEveryString() async throws {
        let cli = CLI()
        defer { cli.remove() }
        let node = try await HostileNetworkTests.seeded(cli, editor: false)
        let admin = ["--key", cli.path("admin")] + node.read
        let symbols =
            try JSONSerialization.jsonObject(with: Data(try await cli.ok(["list", "--json"] + node.read).utf8)) as! [[String: Any]]
        // Every string once, spread over the records' text fields (37 strings, 12 records x 4
        // fields), with a source label each.
        let columns = ["summary", "notes", "interpolRole", "title"]
        var rows: [[String]] = (0..<symbols.count).map { [symbols[$0]["symbol"] as! String, "", "", "", "", ""] }
        for (k, s) in HostileCorpus.all.enumerated() {
            let r = k % symbols.count
            rows[r][1 + k / symbols.count] = s
            rows[r][5] += (rows[r][5].isEmpty ? "" : ";") + "https://example.org/\(k)|" + CSV.escape(String(s.prefix(200)))
        }
        try Data(CSV.encode([["symbol"] + columns + ["sources"]] + rows).utf8).write(to: URL(fileURLWithPath: cli.path("in.csv")))
        let r = try await cli.run(["import-records", cli.path("in.csv")] + admin)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        for format in ["csv", "json"] {
            let out = cli.path("out.\(format)")
            _ = try await cli.ok(["export-records", "--format", format, "--out", out] + node.read)
            let again = try await cli.run(["import-records", out, "--dry-run", "--json"] + admin)
            let report = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
            #expect(report?["events"] as? Int == 0, "\(format): \(again.stdout.prefix(600))")
            #expect(report?["unchanged"] as? Int == symbols.count)
        }
        // The stored values are the corpus, as authored (trimmed at the ends, as every value is).
        let exported = try String(contentsOfFile: cli.path("out.json"), encoding: .utf8)
        let back = try JSONSerialization.jsonObject(with: Data(exported.utf8)) as! [[String: Any]]
        let stored = Set(back.flatMap { rec in columns.compactMap { rec[$0] as? String } })
        for s in HostileCorpus.all where s.trimmingSpacesAndNewlines() == s {
            #expect(stored.contains(s), "\(s.debugDescription) not stored as written")
        }
    }

    func serve(_ cli: CLI, _ args: [String]) async throws -> ServeProcess {
        let p = ServeProcess(arguments: ["serve", "--port", "0"] + args, env: cli.env)
        try p.start()
        return p
    }
}
