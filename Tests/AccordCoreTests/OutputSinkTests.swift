import AccordCore
import AccordTestSupport
import Foundation
import Testing

/// The exits of text (terminal, log line, CSV) and the door's rules, on the hostile corpus.
@Suite struct OutputSinkTests {
    @Test func terminalTextNeverEmitsWhatATerminalActsOn() throws {
        for s in HostileCorpus.all + [HostileCorpus.nul] {
            let safe = TerminalText.safe(s)
            #expect(!HostileCorpus.hasUnsafe(safe), "\(safe.debugDescription)")
            let one = TerminalText.oneLine(s)
            #expect(!HostileCorpus.hasUnsafe(one) && !one.contains("\n") && !one.contains("\t"), "\(one.debugDescription)")
            // Nothing is dropped: what is not escaped stays, in order.
            #expect(safe.unicodeScalars.count >= s.unicodeScalars.count)
        }
        #expect(TerminalText.safe("a\u{1B}[2Jb") == "a\\u001b[2Jb")
        #expect(TerminalText.safe("x\u{202E}y") == "x\\u202ey")
        #expect(TerminalText.safe("two\nlines\tkept") == "two\nlines\tkept")
        #expect(TerminalText.oneLine("two\r\nlines") == "two\\u000d\\u000alines")
        // Plain text (also non-Latin, emoji with joiners) is returned as it is.
        for plain in ["A/RES/75/10  Cooperation", "日本語 café", "👩\u{200D}💻"] { #expect(TerminalText.safe(plain) == plain) }
    }

    @Test func jsonThroughTheTerminalExitIsTheSameJSON() throws {
        for s in HostileCorpus.all {
            let data = try JSONSerialization.data(withJSONObject: ["v": s], options: [.sortedKeys])
            let text = TerminalText.safe(String(decoding: data, as: UTF8.self))
            #expect(!HostileCorpus.hasUnsafe(text))
            let back = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
            #expect(back?["v"] == s, "\(s.debugDescription)")
            // Accord's own parser reads it the same, byte for byte.
            #expect(try JSONParser.parse(Array(text.utf8))["v"]?.stringValue?.utf8.elementsEqual(s.utf8) == true)
        }
    }

    @Test func csvCellsNeverRunAsFormulasAndRoundTrip() throws {
        let rows = HostileCorpus.all.map { [$0, "x"] } + [HostileCorpus.formulas]
        let text = CSV.encode(rows)
        let cells = try CSV.decodeWithoutRestoring(text)
        for row in cells {
            for cell in row {
                let first = cell.unicodeScalars.first
                #expect(!(first == "=" || first == "+" || first == "-" || first == "@" || first == "\t" || first == "\r"), "\(cell)")
            }
        }
        let back = try CSV.decode(text)
        #expect(back.count == rows.count)
        for (a, b) in zip(back, rows) { #expect(a.map { Array($0.unicodeScalars) } == b.map { Array($0.unicodeScalars) }) }
        // A cell whose only line break is CRLF is quoted: the row stays one row.
        #expect(CSV.encode([["a\r\nb", "c"]]) == "\"a\r\nb\",c\r\n")
        #expect(try CSV.decode(CSV.encode([["a\r\nb", "c"]])) == [["a\r\nb", "c"]])
        // A leading byte-order mark ("CSV UTF-8" from a spreadsheet) is not part of the header.
        #expect(try CSV.decode("\u{FEFF}symbol,title\r\nA/RES/1/1,x\r\n") == [["symbol", "title"], ["A/RES/1/1", "x"]])
        // The documented rule: one more quote out, one fewer in, only before a formula character.
        #expect(CSV.neutralise("=1") == "'=1" && CSV.restore("'=1") == "=1")
        #expect(CSV.neutralise("'=1") == "''=1" && CSV.restore("''=1") == "'=1")
        #expect(CSV.neutralise("'plain") == "'plain" && CSV.restore("'plain") == "'plain")
    }

    @Test func theDoorsRules() {
        let limits = DoorLimits(
            maxConnections: 10, maxPerClient: 3, headTimeout: .seconds(5), bodyGrace: .seconds(10), minBodyBytesPerSecond: 1000)
        #expect(limits.headOverdue(waited: .seconds(4)) == nil)
        #expect(limits.headOverdue(waited: .seconds(6)) != nil)
        #expect(limits.bodyTooSlow(elapsed: .seconds(9), bytes: 0) == nil)
        #expect(limits.bodyTooSlow(elapsed: .seconds(12), bytes: 1999) != nil)
        #expect(limits.bodyTooSlow(elapsed: .seconds(12), bytes: 2000) == nil)
        // One byte every five seconds is cut once the grace is over.
        #expect(limits.bodyTooSlow(elapsed: .seconds(15), bytes: 3) != nil)
        #expect(limits.connectionCap(descriptorLimit: 1024) == 10)
        #expect(DoorLimits().connectionCap(descriptorLimit: 1024) == 960)
        var book = ConnectionBook(total: 4, perClient: 3)
        for _ in 0..<3 { #expect(book.admit("10.0.0.1") == nil) }
        #expect(book.admit("10.0.0.1") != nil)
        #expect(book.admit("10.0.0.2") == nil)
        #expect(book.admit("10.0.0.3") != nil)
        book.release("10.0.0.1")
        #expect(book.admit("10.0.0.3") == nil)
        #expect(book.open == 4)
        // Addresses count against their network: many aliases of one party are one client.
        #expect(ConnectionBook.client("203.0.113.7") == "203.0.113.0/24")
        #expect(ConnectionBook.client("203.0.113.250") == ConnectionBook.client("203.0.113.7"))
        #expect(ConnectionBook.client("203.0.114.7") != ConnectionBook.client("203.0.113.7"))
        #expect(ConnectionBook.client("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(ConnectionBook.client("2001:db8:1:2::9") == ConnectionBook.client("2001:db8:1:2:ffff::1"))
        #expect(ConnectionBook.client("2001:db8::1") == "2001:db8:0:0::/64")
        #expect(ConnectionBook.client("127.0.0.2") == "127.0.0.2" && ConnectionBook.client("::1") == "::1")
    }
}
