import Foundation
import Testing

@testable import AccordCore

@Suite struct DomainTests {
    @Test(arguments: [
        ("A/RES/71/19", "A/RES/71/19"), (" a/res/71/19 ", "A/RES/71/19"), ("S/RES/2482 (2019)", "S/RES/2482 (2019)"),
        ("S/RES/2482(2019)", "S/RES/2482 (2019)"), ("s/res/2482", "S/RES/2482"),
    ])
    func symbolsAreNormalised(input: String, expected: String) throws {
        #expect(try ResolutionSymbol(parsing: input).description == expected)
    }

    @Test(arguments: ["A/RES/71", "A/RES/x/19", "S/RES/", "S/RES/2482 (19)", "RES/71/19", "S/RES/2482 (2019", "A/RES/71/19/2", ""])
    func malformedSymbolsNameTheAcceptedForms(input: String) {
        #expect {
            _ = try ResolutionSymbol(parsing: input)
        } throws: { e in
            (e as? DomainError)?.message.contains("A/RES/<session>/<number>") == true
        }
    }

    @Test func symbolKeysAndYears() throws {
        let sc = try ResolutionSymbol(parsing: "S/RES/2482")
        #expect(!sc.isComplete && sc.key == "S/RES/2482")
        #expect(sc.completed(year: 2019).description == "S/RES/2482 (2019)")
        #expect(sc.completed(year: 2019).key == sc.key)
        #expect(try ResolutionSymbol(parsing: "A/RES/71/19").year == 2016)
        #expect(try ResolutionSymbol.linkTarget("2178").key == "S/RES/2178")
        #expect(try ResolutionSymbol(parsing: "A/RES/71/19") < ResolutionSymbol(parsing: "A/RES/73/11"))
    }

    @Test func fieldValuesAreChecked() throws {
        #expect(try RecordField.adopted.validate("2016-11-21") == "2016-11-21")
        #expect(throws: DomainError.self) { try RecordField.adopted.validate("2016-02-30") }
        #expect(throws: DomainError.self) { try RecordField.meeting.validate(0) }
        #expect(try RecordField.title.validate("  Title  ") == "Title")
        #expect(try RecordField.title.validate("   ") == .null)
        #expect(try RecordField.vote.parse(text: "recorded:14-0-1") == ["kind": "recorded", "yes": 14, "no": 0, "abstain": 1])
        #expect(throws: DomainError.self) { try RecordField.vote.parse(text: "recorded:14-0") }
        #expect(throws: DomainError.self) { try RecordField(parsing: "colour") }
    }

    @Test func eventsRoundTripThroughTheirDrafts() throws {
        let s = try ResolutionSymbol(parsing: "S/RES/2482 (2019)")
        let id = String(repeating: "a", count: 64)
        let events: [DomainEvent] = [
            .recordCreated(s, fields: [.title: "T", .meeting: 8582]),
            .fieldSet(s, field: .vote, value: Vote.unanimous.json, base: [id]),
            .topicsAdded(s, ["terrorism"]), .topicsRemoved(s, ["terrorism"], seen: [id]),
            .linksAdded(s, [Link(rel: .recalls, target: try ResolutionSymbol(parsing: "S/RES/2178 (2014)"))]),
            .linksRemoved(s, [Link(rel: .recalls, target: ResolutionSymbol(sc: 2178, year: nil))], seen: [id]),
            .sourcesAdded(s, [try Source(url: "https://example.org/x", label: "X")]),
            .sourcesRemoved(s, urls: ["https://example.org/x"], seen: [id]), .withdrawn(s, reason: "duplicate"), .restored(s),
        ]
        for e in events {
            let d = e.draft
            #expect(try DomainEvent(type: d.type, schema: d.schema, subject: d.subject, body: d.body) == e)
        }
    }

    @Test func payloadRulesAreEnforced() {
        let bad: [(String, String?, JSONValue)] = [
            ("field.set", "A/RES/71/19", ["field": "title", "value": 3, "base": []]),
            ("field.set", "A/RES/71/19", ["field": "title", "value": "x", "base": ["nothex"]]),
            ("field.set", "S/RES/2482", ["field": "title", "value": "x", "base": []]),
            ("field.set", nil, ["field": "title", "value": "x", "base": []]),
            ("topics.added", "A/RES/71/19", ["topics": []]),
            ("links.added", "A/RES/71/19", ["links": [["rel": "likes", "target": "A/RES/73/11"]]]),
            ("record.created", "A/RES/71/19", ["symbol": "A/RES/71/20", "body": "GA", "fields": [:]]),
            ("record.created", "A/RES/71/19", ["symbol": "A/RES/71/19", "body": "SC", "fields": [:]]),
            ("sources.added", "A/RES/71/19", ["sources": [["url": "ftp://x", "label": ""]]]),
        ]
        for (type, subject, body) in bad {
            #expect(throws: DomainError.self, "\(type) \(body)") { try DomainEvent(type: type, schema: 1, subject: subject, body: body) }
        }
    }

    @Test func registersPickADeterministicProvisionalWinner() {
        let a = Revision(id: String(repeating: "a", count: 64), value: "A", author: "x", time: "2026-01-01T00:00:00.000Z#00000")
        let b = Revision(id: String(repeating: "b", count: 64), value: "B", author: "y", time: "2026-01-01T00:00:00.000Z#00000")
        let c = Revision(id: String(repeating: "0", count: 64), value: "C", author: "z", time: "2026-01-01T00:00:00.001Z#00000")
        #expect(FieldState(heads: [a, b]).value == "B")
        #expect(FieldState(heads: [b, a]).value == "B")
        #expect(FieldState(heads: [a, b, c]).value == "C")
        #expect(FieldState(heads: [a, b]).inConflict && !FieldState(heads: [a]).inConflict)
    }

    @Test func csvRoundTripsQuotesCommasAndNewlines() throws {
        let rows = [["a", "b,c", "say \"hi\"", "line\nbreak", ""], ["1", "", "", "", "x"]]
        #expect(try CSV.decode(CSV.encode(rows)) == rows)
        #expect(throws: DomainError.self) { try CSV.decode("a,\"unterminated\n") }
    }

    @Test func recordFormatRoundTripsThroughCSV() throws {
        var r = ResolutionRecord(symbol: try ResolutionSymbol(parsing: "S/RES/2529 (2020)"))
        r.fields = [
            .title: "International Residual Mechanism, \"IRMCT\"", .adopted: "2020-06-25",
            .vote: Vote.recorded(yes: 14, no: 0, abstain: 1).json, .meeting: 1,
        ]
        r.topics = ["fugitives", "genocide"]
        r.links = [Link(rel: .recalls, target: try ResolutionSymbol(parsing: "S/RES/2178 (2014)"))]
        r.sources = [try Source(url: "https://press.un.org/en/2020/sc14230.doc.htm", label: "UN press release; SC/14230 | back\\slash")]
        let back = try ResolutionRecord(csv: r.csvRow, header: ResolutionRecord.csvColumns)
        #expect(back == r)
        #expect(try ResolutionRecord(json: r.json) == r)
        // A bare SC symbol takes its year from `adopted`.
        let bare = try ResolutionRecord(json: ["symbol": "S/RES/2482", "adopted": "2019-07-19"])
        #expect(bare.symbol.description == "S/RES/2482 (2019)")
        #expect(throws: DomainError.self) { try ResolutionRecord(json: ["symbol": "A/RES/71/19", "body": "SC"]) }
        #expect(throws: DomainError.self) { try ResolutionRecord(json: ["symbol": "A/RES/71/19", "colour": "red"]) }
    }
}

@Suite struct TrimmingTests {
    /// The hot-path trimming removes exactly what Foundation's character sets name.
    @Test(arguments: [
        "", " ", "\t", "abc", "  abc  ", "\tabc\n", "\n abc \r\n", "\u{00A0}abc\u{3000}", "a b", "\u{2028}x\u{2029}", "\u{85}y\u{0B}",
        "é\u{0301} ", " \u{0301}", "\u{200B}z", "😀 ",
    ])
    func matchesFoundation(_ s: String) {
        #expect(s.trimmingSpaces() == s.trimmingCharacters(in: .whitespaces))
        #expect(s.trimmingSpacesAndNewlines() == s.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

@Suite struct ByteSizeTests {
    @Test func sizesAsOperatorsWriteThem() {
        #expect(ByteSize.parse("1048576") == 1_048_576)
        #expect(ByteSize.parse("500MB") == 500_000_000)
        #expect(ByteSize.parse("2 GiB") == Int64(2_147_483_648))
        #expect(ByteSize.parse("1.5g") == 1_610_612_736)
        #expect(ByteSize.parse("64KiB") == 65_536)
        for bad in ["", "MB", "-5MB", "0", "12 parsecs", "1e3", "٣MB", "1..5G", "99999999999TB"] {
            #expect(ByteSize.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct ProgressLineTests {
    @Test func progressSaysHowManyOfHowManyHowFastAndHowLong() {
        #expect(
            ProgressLine.text(label: "import", done: 120_000, total: 1_000_000, seconds: 10)
                == "import: 120,000 / 1,000,000 events (12%), 12,000 events/s, 1m14s left")
        #expect(ProgressLine.text(label: "clone", done: 5_000, total: nil, seconds: 2) == "clone: 5,000 events, 2,500 events/s")
        #expect(ProgressLine.text(label: "verify", done: 0, total: 10, seconds: 0) == "verify: 0 / 10 events (0%)")
        #expect(
            ProgressLine.text(label: "x", done: 10, total: 10, unit: "records", seconds: 1) == "x: 10 / 10 records (100%), 10 records/s")
        #expect(ProgressLine.duration(3_725) == "1h02m" && ProgressLine.duration(59.2) == "1m00s" && ProgressLine.duration(7) == "7s")
        #expect(ProgressLine.grouped(999) == "999" && ProgressLine.grouped(1_000) == "1,000" && ProgressLine.grouped(-12_345) == "-12,345")
    }
}

@Suite struct ChangeTextTests {
    @Test func valuesReadAsPeopleWriteThem() {
        #expect(ChangeText.value(.null) == "—")
        #expect(ChangeText.value("Alice's title") == "Alice's title")
        #expect(ChangeText.value(Vote.recorded(yes: 14, no: 0, abstain: 1).json) == "recorded:14-0-1")
        #expect(ChangeText.value(["rel": "reviews", "target": "A/RES/71/19"]) == "reviews A/RES/71/19")
        #expect(ChangeText.value(["url": "https://un.org/x", "label": "UN"]) == "UN (https://un.org/x)")
        #expect(ChangeText.value(["url": "https://un.org/x", "label": ""]) == "https://un.org/x")
        #expect(ChangeText.value(.int(3)) == "3")
    }

    @Test func changesReadAsOneLine() {
        #expect(ChangeText.describe(change: "field.set", field: "title", old: [], new: "New") == "title: — -> New")
        #expect(
            ChangeText.describe(change: "field.set", field: "title", old: ["A", "B"], new: "C")
                == "resolved the conflict on title: A and B replaced by C")
        // A resolution tells what was kept over what, and whose each value was.
        let names = ["k1": "Cara Curator", "k2": "Bo Editor"]
        #expect(
            ChangeText.describe(
                change: "set", field: "meeting", old: [.int(40), .int(41)], new: .int(40), oldAuthors: ["k1", "k2"], name: { names[$0]! })
                == "resolved the conflict on meeting: kept 40 (Cara Curator) over 41 (Bo Editor)")
        #expect(ChangeText.describe(change: "field.set", field: "notes", old: ["A"], new: nil) == "notes: A -> —")
        #expect(ChangeText.describe(change: "topic added", field: nil, old: [], new: "terrorism") == "topic added terrorism")
        #expect(ChangeText.describe(change: "topic removed", field: nil, old: ["x", "y"], new: nil) == "topic removed x, y")
        #expect(ChangeText.describe(change: "record.withdrawn", field: nil, old: [], new: nil) == "record.withdrawn")
    }
}

/// A date that is in the form but not on the calendar is told as such, with what is wrong.
@Suite struct DateMessageTests {
    @Test func aWrongDateSaysWhatIsWrongWithIt() {
        #expect(RecordField.dateProblem("2020-11-23") == nil)
        #expect(RecordField.dateProblem("2024-02-29") == nil)
        for (text, says) in [
            ("2020-13-40", "2020-13-40 is not a real date: there is no month 13"),
            ("2023-02-29", "2023-02-29 is not a real date: February 2023 has 28 days"),
            ("2020-04-31", "2020-04-31 is not a real date: April 2020 has 30 days"),
            ("1850-01-01", "the year must be from 1900 to 2200"),
            ("23 Nov 2020", "adopted must be a date YYYY-MM-DD, such as 2020-11-23"),
        ] {
            #expect(RecordField.dateProblem(text)?.contains(says) == true, "\(text): \(RecordField.dateProblem(text) ?? "nil")")
            #expect(throws: DomainError.self) { try RecordField.adopted.validate(.string(text)) }
        }
    }
}

/// Adding sources is a pure decision: what a re-add changes.
@Suite struct SourceChangeTests {
    @Test func aKnownURLWithoutALabelChangesNothingAndAnotherLabelIsAChange() throws {
        let known = [try Source(url: "https://un.org/a", label: "UN A"), try Source(url: "https://un.org/b", label: "")]
        #expect(Source.changes(adding: [try Source(url: "https://un.org/a", label: "")], to: known).isEmpty)
        #expect(Source.changes(adding: [try Source(url: "https://un.org/a", label: "UN A")], to: known).isEmpty)
        #expect(Source.changes(adding: [try Source(url: "https://un.org/a", label: "UN A, 2020")], to: known).count == 1)
        // A known URL that had no label takes one; a new URL is added with or without.
        #expect(Source.changes(adding: [try Source(url: "https://un.org/b", label: "UN B")], to: known).count == 1)
        #expect(Source.changes(adding: [try Source(url: "https://un.org/c", label: "")], to: known).count == 1)
    }
}
