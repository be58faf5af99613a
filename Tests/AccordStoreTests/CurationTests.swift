import AccordCore
import AccordTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import AccordStore

/// Named scenarios over the curation read models, each checking the whole state after each step.
@Suite struct CurationTests {
    static var seedData: [UInt8] {
        [UInt8](FileManager.default.contents(atPath: Fixtures.eventsDirectory.appendingPathComponent("seed/resolutions.json").path)!)
    }

    /// Every record a list query with these filters finds (one page of up to 500).
    static func all(_ c: Curation, _ filter: (inout Curation.ListQuery) -> Void) throws -> [Curation.Summary] {
        var q = Curation.ListQuery()
        q.limit = Curation.maxPageSize
        filter(&q)
        return try c.list(q).items
    }

    static func seeded(_ dir: TempDir, _ name: String = "seeded.db") throws -> Curation {
        let log = try Fixtures.node(dir, name, projectors: [CurationProjector()])
        let c = Curation(log: log)
        let report = try c.importRecords(seedData, csv: false, key: Fixtures.alice)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.created == 12)
        return c
    }

    @Test func seedAnswersTheAcceptanceQuestions() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        #expect(try c.chain(c.existing("A/RES/75/10")).map(\.description) == ["A/RES/71/19", "A/RES/73/11", "A/RES/75/10"])
        #expect(try c.chain(c.existing("A/RES/71/19")).map(\.description) == ["A/RES/71/19", "A/RES/73/11", "A/RES/75/10"])
        #expect(try c.search("cybercrime").contains { $0.symbol == "A/RES/75/10" })
        let sc = try Self.all(c) { $0.body = .sc }
        #expect(sc.count == 8)
        #expect(
            sc.map(\.symbol) == [
                "S/RES/2178 (2014)", "S/RES/2322 (2016)", "S/RES/2331 (2016)", "S/RES/2396 (2017)", "S/RES/2462 (2019)",
                "S/RES/2482 (2019)", "S/RES/2501 (2019)", "S/RES/2529 (2020)",
            ])
        #expect(try Self.all(c) { $0.body = .ga }.count == 4)
        #expect(try Self.all(c) { $0.year = 2019 }.count == 3)
        #expect(try Self.all(c) { $0.topic = "Foreign  Terrorist Fighters" }.map(\.symbol).contains("S/RES/2178 (2014)"))
        #expect(try c.existing("S/RES/2482").description == "S/RES/2482 (2019)")
        // Every seed record names its sources.
        for r in try c.exportRecords() { #expect(!r.sources.isEmpty, "\(r.symbol) has no source") }
        #expect(try c.log.verify().isClean)
    }

    @Test func editsAtOnceOnOneNodeNeverSlipPastTheConflictRule() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let symbol = try c.existing("A/RES/72/1")
        // Two writers on one node, each setting the same field 40 times: each set reads the
        // field's heads and writes in one transaction, so none is based on a stale head.
        let refused = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            for n in 0..<40 {
                do {
                    try c.set(symbol, .notes, .string("writer \(k), edit \(n)"), key: k == 0 ? Fixtures.alice : Fixtures.bob)
                } catch {
                    refused.withLock { $0 += 1 }
                }
            }
        }
        #expect(refused.withLock { $0 } == 0)
        let notes = try #require(try c.state(symbol)?.fields[.notes])
        #expect(!notes.inConflict && notes.heads.count == 1)
        let history = try c.history(symbol, field: .notes)
        #expect(history.filter { $0.new?.stringValue?.hasPrefix("writer ") == true }.count == 80, "\(history.count)")
    }

    @Test func concurrentTitleEditsBecomeConflictAndResolveOnBothSides() throws {
        let dir = TempDir()
        let a = try Self.seeded(dir, "a.db")
        let b = Curation(log: try EventLog(path: dir.file("b.db"), projectors: [CurationProjector()]))
        func exchange() throws {
            _ = try b.log.ingest(lines: Fixtures.lines(a.log))
            _ = try a.log.ingest(lines: Fixtures.lines(b.log))
        }
        try exchange()
        #expect(try a.digest() == b.digest())
        let s = try a.existing("A/RES/73/11")
        // Both curators edit the title from the same base, offline.
        try a.set(s, .title, "Title by alice", key: Fixtures.alice)
        try b.set(s, .title, "Title by bob", key: Fixtures.bob)
        try exchange()
        #expect(try a.digest() == b.digest())
        for side in [a, b] {
            let conflicts = try side.conflicts()
            #expect(conflicts.count == 1)
            #expect(Set(conflicts[0].heads.map(\.value)) == ["Title by alice", "Title by bob"])
            #expect(Set(conflicts[0].heads.map(\.author)) == [Fixtures.alice.author.text, Fixtures.bob.author.text])
            #expect(try side.state(s)?.value(.title) == conflicts[0].provisional.value)
        }
        // A plain `set` is refused while the field is in conflict; `resolve` ends it.
        #expect(throws: EditConflict.self) { try a.set(s, .title, "x", key: Fixtures.alice) }
        try b.set(s, .title, "Agreed title", key: Fixtures.bob, resolving: true)
        #expect(try b.conflicts().isEmpty)
        try exchange()
        #expect(try a.conflicts().isEmpty)
        #expect(try a.state(s)?.value(.title) == "Agreed title")
        #expect(try a.digest() == b.digest())
        let history = try a.history(s, field: .title)
        #expect(
            history.map(\.new)
                == [
                    "Cooperation between the United Nations and the International Criminal Police Organization", "Title by alice",
                    "Title by bob", "Agreed title",
                ].map { JSONValue.string($0) })
        #expect(history.allSatisfy { $0.signature == "valid" })
        #expect(Set(history.last!.old) == ["Title by alice", "Title by bob"])
    }

    @Test func asOfShowsTheOldTitleBeforeAChange() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let s = try c.existing("A/RES/73/11")
        let before = try c.state(s)!.value(.title)
        let t0 = HybridLogicalClock.wallMillis() + 60_000
        // The change happens at T (clock pinned a minute ahead so "before T" is unambiguous).
        _ = try c.log.author(
            [DomainEvent.fieldSet(s, field: .title, value: "Changed later", base: try c.state(s)!.fields[.title]!.heads.map(\.id)).draft],
            key: Fixtures.alice, wallMillis: t0)
        #expect(try c.state(s)?.value(.title) == "Changed later")
        let justBefore = HLCTime(millis: t0 - 1).description
        #expect(try c.state(s, cutoff: c.cutoff(asOf: justBefore, at: nil))?.value(.title) == before)
        #expect(try c.state(s, cutoff: c.cutoff(asOf: HLCTime(millis: t0).description, at: nil))?.value(.title) == "Changed later")
        let id = try c.history(s, field: .title).last!.id
        #expect(try c.state(s, cutoff: c.cutoff(asOf: nil, at: id))?.value(.title) == "Changed later")
        #expect(try c.state(s, cutoff: c.cutoff(asOf: "2000-01-01", at: nil)) == nil)
    }

    @Test func linksResolveWhenTheTargetArrives() throws {
        let dir = TempDir()
        let log = try Fixtures.node(dir, projectors: [CurationProjector()])
        let c = Curation(log: log)
        let later = try c.add("A/RES/77/1", fields: [.title: "Later"], key: Fixtures.alice)
        try c.link(later, [Link(rel: .reviews, target: try ResolutionSymbol(parsing: "A/RES/76/1"))], key: Fixtures.alice)
        try c.link(later, [Link(rel: .recalls, target: try ResolutionSymbol.linkTarget("2178"))], key: Fixtures.alice)
        #expect(try c.resolveTarget(ResolutionSymbol(parsing: "A/RES/76/1")) == nil)
        #expect(try c.chain(later).map(\.description) == ["A/RES/77/1"])
        try c.add("A/RES/76/1", fields: [:], key: Fixtures.bob)
        try c.add("S/RES/2178", fields: [.adopted: "2014-09-24"], key: Fixtures.bob)
        #expect(try c.resolveTarget(ResolutionSymbol.linkTarget("2178")) == "S/RES/2178 (2014)")
        #expect(try c.chain(later).map(\.description) == ["A/RES/76/1", "A/RES/77/1"])
        #expect(try c.incomingLinks(ResolutionSymbol(parsing: "S/RES/2178 (2014)")).map(\.from) == ["A/RES/77/1"])
        #expect(throws: InvalidInput.self) { try c.add("S/RES/9999", fields: [:], key: Fixtures.bob) }
        #expect(throws: EditConflict.self) { try c.add("A/RES/76/1", fields: [:], key: Fixtures.bob) }
    }

    @Test func addWinsTopicsAndWithdrawal() throws {
        let dir = TempDir()
        let a = Curation(log: try Fixtures.node(dir, "a.db", projectors: [CurationProjector()]))
        let s = try a.add("A/RES/71/19", fields: [:], key: Fixtures.alice)
        try a.tag(s, ["Terrorism"], key: Fixtures.alice)
        let b = Curation(log: try EventLog(path: dir.file("b.db"), projectors: [CurationProjector()]))
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        // Alice removes the topic while Bob, concurrently, adds it again: the add wins.
        try a.untag(s, ["terrorism"], key: Fixtures.alice)
        try b.tag(s, ["corruption"], key: Fixtures.bob)
        _ = try b.log.author([DomainEvent.topicsAdded(s, ["terrorism"]).draft], key: Fixtures.bob)
        _ = try a.log.ingest(lines: Fixtures.lines(b.log))
        _ = try b.log.ingest(lines: Fixtures.lines(a.log))
        #expect(try a.state(s)?.topics == ["corruption", "terrorism"])
        #expect(try a.digest() == b.digest())
        try a.withdraw(s, reason: "test", key: Fixtures.alice)
        #expect(try a.state(s)?.withdrawn == true)
        #expect(throws: EditConflict.self) { try a.withdraw(s, reason: nil, key: Fixtures.alice) }
        try a.restore(s, key: Fixtures.alice)
        #expect(try a.state(s)?.withdrawn == false)
    }

    @Test func invalidPayloadsAreRejectedAndChangeNothing() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let before = try c.digest()
        let count = try c.log.eventCount()
        let out = try c.log.author(
            [EventDraft(type: "field.set", subject: "A/RES/73/11", body: ["field": "meeting", "value": "not a number", "base": []])],
            key: Fixtures.alice)
        guard case .rejected(let r) = out[0] else { Issue.record("accepted"); return }
        #expect(r.code == .invalidPayload && r.message.contains("meeting"))
        #expect(try c.digest() == before)
        #expect(try c.log.eventCount() == count)
    }

    @Test func recordsImportIsIdempotentMinimalAndRoundTrips() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let events = try c.log.eventCount()
        // Importing the same file again signs nothing.
        let again = try c.importRecords(Self.seedData, csv: false, key: Fixtures.alice)
        #expect(again.unchanged == 12 && again.events == 0)
        #expect(try c.log.eventCount() == events)
        // One changed field is one event.
        var records = try c.exportRecords()
        records[0].fields[.notes] = "A note"
        let one = try c.importRecords(Array(Curation.recordsJSON(records).utf8), csv: false, key: Fixtures.alice)
        #expect(one.updated == 1 && one.events == 1)
        #expect(try c.log.eventCount() == events + 1)
        // Export then import into a fresh dataset round-trips exactly, in JSON and CSV.
        for csv in [false, true] {
            let text = csv ? Curation.recordsCSV(try c.exportRecords()) : Curation.recordsJSON(try c.exportRecords())
            let fresh = Curation(log: try Fixtures.node(dir, "fresh-\(csv).db", projectors: [CurationProjector()]))
            let report = try fresh.importRecords(Array(text.utf8), csv: csv, key: Fixtures.bob)
            #expect(report.errors.isEmpty && report.created == 12)
            #expect(try fresh.exportRecords() == c.exportRecords())
            let text2 = csv ? Curation.recordsCSV(try fresh.exportRecords()) : Curation.recordsJSON(try fresh.exportRecords())
            #expect(text2 == text)
        }
    }

    @Test func invalidRowsAreReportedAndValidRowsImport() throws {
        let dir = TempDir()
        let c = Curation(log: try Fixtures.node(dir, projectors: [CurationProjector()]))
        let csv = """
            symbol,body,adopted,meeting,title,vote,topics,links
            A/RES/71/19,GA,2016-11-21,,Good one,adopted-without-vote,terrorism,
            A/RES/71,GA,,,Bad symbol,,,
            S/RES/2482,SC,,,No year,,,
            S/RES/2178 (2014),SC,2014-09-24,7272,Good two,unanimous,foreign terrorist fighters,
            A/RES/73/11,GA,2018-02-30,,Bad date,,,
            A/RES/75/10,GA,,,Bad vote,recorded:1-2,,
            A/RES/72/1,GA,,,Bad link,,,likes:A/RES/71/19
            """
        let report = try c.importRecords(Array(csv.utf8), csv: true, key: Fixtures.alice)
        #expect(report.created == 2)
        #expect(report.errors.map(\.row) == [2, 3, 5, 6, 7])
        #expect(report.errors[0].reason.contains("A/RES/<session>/<number>"))
        #expect(report.errors[1].reason.contains("year"))
        #expect(try c.symbols() == ["A/RES/71/19", "S/RES/2178 (2014)"])
        // A byte that is not UTF-8 (Latin-1 "é") refuses the file, naming where, and signs nothing.
        let events = try c.log.eventCount()
        var latin1 = Array("symbol,body,title\nA/RES/73/11,GA,Caf".utf8)
        latin1 += [0xE9] + Array(" title\n".utf8)
        let refused = try c.importRecords(latin1, csv: true, key: Fixtures.alice)
        #expect(refused.created == 0 && refused.errors.count == 1, "\(refused.errors)")
        #expect(refused.errors.first?.reason.contains("not UTF-8 (byte 37, on line 2)") == true, "\(refused.errors)")
        #expect(try c.log.eventCount() == events)
    }

    @Test func aFileOfManyTransactionsWithDuplicatesReportsEveryRowInOrder() throws {
        let dir = TempDir()
        let c = Curation(log: try Fixtures.node(dir, projectors: [CurationProjector()]))
        func row(_ n: Int, _ title: String = "Title") -> String { "A/RES/71/\(n),GA,,,\(title) \(n),,," }
        // 1,100 records (three planning chunks, three transactions of up to 500 events), a
        // duplicate in the first and one at the end.
        var rows = (1...1100).map { row($0) }
        rows.insert(row(1, "Again"), at: 2)  // row 3
        rows.append(row(600, "Again"))  // row 1,102
        let header = "symbol,body,adopted,meeting,title,vote,topics,links\n"
        let seen = Mutex<[Int]>([])
        let report = try c.importRecords(
            Array((header + rows.joined(separator: "\n")).utf8), csv: true, key: Fixtures.alice, eventsPerTransaction: 500,
            progress: { done, total in
                #expect(total == 1102)
                seen.withLock { $0.append(done) }
            })
        #expect(report.created == 1100)
        #expect(report.errors.map(\.row) == [3, 1102])
        #expect(report.errors.allSatisfy { $0.reason.contains("appears again") })
        #expect(try c.symbols().count == 1100)
        #expect(try c.state(c.existing("A/RES/71/1"))?.value(.title).stringValue == "Title 1")
        let done = seen.withLock { $0 }
        #expect(done.count >= 3 && done == done.sorted() && done.last == 1102, "\(done)")
        // Again with one title changed: one update, the rest unchanged.
        rows[1000] = row(1000, "Changed")  // rows[k] is record k from the duplicate on
        let again = try c.importRecords(Array((header + rows.joined(separator: "\n")).utf8), csv: true, key: Fixtures.alice)
        #expect(again.updated == 1 && again.unchanged == 1099 && again.created == 0)
        #expect(try c.state(c.existing("A/RES/71/1000"))?.value(.title).stringValue == "Changed 1000")
    }

    @Test func setAndImportRecordsTakeAValueRewrittenInAnotherUnicodeForm() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let s = try c.existing("S/RES/2482")
        func notes() throws -> [UInt8] { Array(try c.state(s)!.value(.notes).stringValue!.utf8) }
        #expect(try c.set(s, .notes, "Caf\u{E9} notes", key: Fixtures.alice) != nil)
        // Swift calls the two strings equal; the signature, the digest and every node do not.
        #expect(try c.set(s, .notes, "Cafe\u{301} notes", key: Fixtures.alice) != nil)
        #expect(try notes() == Array("Cafe\u{301} notes".utf8))
        #expect(try c.set(s, .notes, "Cafe\u{301} notes", key: Fixtures.alice) == nil)
        var record = try #require(try c.exportRecords().first { $0.symbol.key == s.key })
        record.fields[.notes] = .string("Caf\u{E9} notes")
        let report = try c.importRecords(Array(Curation.recordsJSON([record]).utf8), csv: false, key: Fixtures.alice)
        #expect(report.updated == 1 && report.unchanged == 0)
        #expect(try notes() == Array("Caf\u{E9} notes".utf8))
    }

    @Test func aValueRewrittenInAnotherUnicodeFormIsShownAsWritten() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let s = try c.existing("S/RES/2482")
        // Swift calls these two strings equal; SQLite, the digest and every other node do not.
        // (`set` calls the second a change with no effect, so the edit is signed as a peer would.)
        try c.set(s, .notes, "Caf\u{E9} notes", key: Fixtures.alice)
        let heads = try c.state(s)!.fields[.notes]!.heads.map(\.id)
        _ = try c.author([.fieldSet(s, field: .notes, value: .string("Cafe\u{301} notes"), base: heads)], key: Fixtures.alice)
        let stored = {
            try c.log.pool.read { db in try String.fetchOne(db, sql: "SELECT notes FROM records WHERE key = ?", arguments: [s.key]) }
        }
        #expect(try Array((stored() ?? "").utf8) == Array("Cafe\u{301} notes".utf8))
        let before = try c.digest()
        try c.log.rebuild()
        #expect(try c.digest() == before)
    }

    @Test func aBaseFromAnotherRecordReplacesNothingThere() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let x = try c.existing("S/RES/2482")
        let y = try c.existing("A/RES/72/1")
        let title = try #require(c.state(y)?.value(.title))
        // A signed edit of one record that names another record's title as its base (a
        // peer's hostile or buggy client): the other record's title is not replaced, now or
        // after a rebuild.
        let theirs = try c.state(y)!.fields[.title]!.heads.map(\.id)
        _ = try c.author([.fieldSet(x, field: .title, value: .string("Names another record's title"), base: theirs)], key: Fixtures.alice)
        #expect(try c.state(y)?.value(.title) == title)
        let before = try c.digest()
        try c.log.rebuild()
        #expect(try c.digest() == before)
        #expect(try c.state(y)?.value(.title) == title)
    }

    @Test func rebuildEqualsTheIncrementalState() throws {
        let dir = TempDir()
        let c = try Self.seeded(dir)
        let s = try c.existing("S/RES/2482")
        try c.set(s, .notes, "Note", key: Fixtures.alice)
        try c.untag(s, ["drugs"], key: Fixtures.alice)
        try c.withdraw(try c.existing("A/RES/72/1"), reason: nil, key: Fixtures.alice)
        let before = try c.digest()
        let hits = try c.search("firearms")
        let schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
        let indexes = try c.log.pool.read { db in try Row.fetchAll(db, sql: schema) }
        try c.log.rebuild()
        #expect(try c.digest() == before)
        #expect(try c.search("firearms") == hits)
        // The indexes a rebuild set aside are all back, as they were, and nothing is left over.
        #expect(try c.log.pool.read { db in try Row.fetchAll(db, sql: schema) } == indexes)
        let leftOver = "SELECT count(*) FROM temp.sqlite_master WHERE name = 'rebuild_indexes'"
        #expect(try c.log.pool.write { db in try Int.fetchOne(db, sql: leftOver) } == 0)
    }
}

/// A source keeps what it says: re-adding a known URL without a label (the web form's label
/// box is optional, as is `accord source`'s) changes nothing; another label is a change.
@Suite struct SourceLabelTests {
    @Test func reAddingAKnownURLWithoutALabelKeepsItsLabel() throws {
        let dir = TempDir()
        let c = Curation(log: try Fixtures.node(dir, projectors: [CurationProjector()]))
        let s = try ResolutionSymbol(parsing: "A/RES/75/10")
        _ = try c.add(s.description, fields: [.title: "Cooperation"], key: Fixtures.alice)
        let url = "https://press.un.org/en/2020/ga12290.doc.htm"
        #expect(try c.addSources(s, [try Source(url: url, label: "UN press release GA/12290")], key: Fixtures.alice) != nil)
        let count = try c.log.eventCount()
        // Without a label: nothing is signed, the label stays.
        #expect(try c.addSources(s, [try Source(url: url, label: "")], key: Fixtures.alice) == nil)
        #expect(try c.log.eventCount() == count)
        #expect(try c.state(s)?.sources.map(\.label) == ["UN press release GA/12290"])
        // The same through a record file that names the URL without a label.
        var record = try #require(try c.exportRecords().first { $0.symbol == s })
        record.sources = [try Source(url: url, label: "")]
        let planned = try c.plan(record).events
        #expect(!planned.contains { if case .sourcesAdded = $0 { true } else { false } }, "\(planned)")
        // Another label is an explicit change.
        #expect(try c.addSources(s, [try Source(url: url, label: "GA/12290, 23 November 2020")], key: Fixtures.alice) != nil)
        #expect(try c.state(s)?.sources.map(\.label) == ["GA/12290, 23 November 2020"])
        // History tells the change of label as one, with both labels.
        let told = try c.history(s).map { ChangeText.describe(change: $0.change, field: $0.field, old: $0.old, new: $0.new) }
        #expect(told.contains("source added UN press release GA/12290 (\(url))"), "\(told)")
        #expect(told.contains("source label: UN press release GA/12290 -> GA/12290, 23 November 2020 (\(url))"), "\(told)")
    }
}
