import AccordCore
import Testing

/// The fold of one record, without SQLite: registers, add-wins sets, status, cut-offs,
/// and independence from the order of the facts.
@Suite struct RecordFoldTests {
    typealias F = RecordFacts
    static func id(_ n: Int) -> String { String(repeating: String(n % 10), count: 64) }
    static func t(_ n: Int) -> String { "2026-01-01T00:00:00.000Z#\(String(repeating: "0", count: 5 - String(n).count))\(n)" }

    static func title(_ n: Int, _ v: String, by a: String = "alice") -> F.FieldRevision {
        F.FieldRevision(id: id(n), field: .title, value: "\"\(v)\"", author: a, time: t(n))
    }

    static var base: RecordFacts {
        var f = RecordFacts()
        f.creations = [.init(id: id(1), symbol: "A/RES/71/19", time: t(1))]
        return f
    }

    @Test func concurrentRevisionsConflictUntilOneNamesBoth() throws {
        var f = Self.base
        f.revisions = [Self.title(2, "first"), Self.title(3, "mine", by: "bob"), Self.title(4, "yours", by: "carol")]
        f.bases = [
            .init(base: Self.id(2), field: .title, replacer: Self.id(3)), .init(base: Self.id(2), field: .title, replacer: Self.id(4)),
        ]
        let conflicted = try #require(RecordFold.state(f))
        #expect(conflicted.fields[.title]?.inConflict == true)
        #expect(conflicted.fields[.title]?.heads.map(\.id) == [Self.id(3), Self.id(4)])
        // The provisional winner: the latest clock.
        #expect(conflicted.value(.title) == .string("yours"))

        f.revisions.append(Self.title(5, "agreed"))
        f.bases += [
            .init(base: Self.id(3), field: .title, replacer: Self.id(5)), .init(base: Self.id(4), field: .title, replacer: Self.id(5)),
        ]
        let resolved = try #require(RecordFold.state(f))
        #expect(resolved.fields[.title]?.inConflict == false)
        #expect(resolved.value(.title) == .string("agreed"))
        // A base for another field replaces nothing in this one.
        f.bases.append(.init(base: Self.id(5), field: .notes, replacer: Self.id(5)))
        #expect(RecordFold.state(f)?.value(.title) == .string("agreed"))
    }

    @Test func itemsInTwoUnicodeFormsAreTwoItemsWhateverTheirOrder() throws {
        // Swift calls "café" (NFC) and "cafe\u{301}" (NFD) equal; SQLite and the digest do not.
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        var f = Self.base
        f.adds = [
            .init(id: Self.id(2), kind: .topic, item: nfc, value: "\"\(nfc)\"", time: Self.t(2)),
            .init(id: Self.id(3), kind: .topic, item: nfd, value: "\"\(nfd)\"", time: Self.t(3)),
        ]
        let forward = try #require(RecordFold.state(f))
        f.adds.reverse()
        let backward = try #require(RecordFold.state(f))
        #expect(forward.topics.map { Array($0.utf8) } == [Array(nfd.utf8), Array(nfc.utf8)])
        #expect(backward.topics.map { Array($0.utf8) } == forward.topics.map { Array($0.utf8) })
        // A removal of one form removes that form only.
        f.removes = [.init(id: Self.id(4), kind: .topic, item: nfc, seen: Self.id(2), time: Self.t(4))]
        #expect(RecordFold.state(f)?.topics.map { Array($0.utf8) } == [Array(nfd.utf8)])
    }

    @Test func aRemovalRemovesOnlyTheAddsItSaw() throws {
        var f = Self.base
        f.adds = [
            .init(id: Self.id(2), kind: .topic, item: "terrorism", value: "\"terrorism\"", time: Self.t(2)),
            .init(id: Self.id(3), kind: .topic, item: "drugs", value: "\"drugs\"", time: Self.t(3)),
        ]
        f.removes = [.init(id: Self.id(4), kind: .topic, item: "terrorism", seen: Self.id(2), time: Self.t(4))]
        #expect(RecordFold.state(f)?.topics == ["drugs"])
        // An add the removal did not see (concurrent) wins.
        f.adds.append(.init(id: Self.id(5), kind: .topic, item: "terrorism", value: "\"terrorism\"", time: Self.t(5)))
        #expect(RecordFold.state(f)?.topics == ["drugs", "terrorism"])
        // A removal of the same item by kind "link" touches no topic.
        f.removes.append(.init(id: Self.id(6), kind: .link, item: "drugs", seen: Self.id(3), time: Self.t(6)))
        #expect(RecordFold.state(f)?.topics == ["drugs", "terrorism"])
    }

    @Test func theLatestAddGivesASourcesLabel() throws {
        var f = Self.base
        let url = "https://undocs.org/A/RES/71/19"
        f.adds = [
            .init(id: Self.id(3), kind: .source, item: url, value: #"{"label":"new","url":"\#(url)"}"#, time: Self.t(3)),
            .init(id: Self.id(2), kind: .source, item: url, value: #"{"label":"old","url":"\#(url)"}"#, time: Self.t(2)),
        ]
        #expect(RecordFold.state(f)?.sources.map(\.label) == ["new"])
    }

    @Test func aCutoffShowsTheRecordAsItWas() throws {
        var f = Self.base
        f.revisions = [Self.title(2, "old"), Self.title(4, "new")]
        f.bases = [.init(base: Self.id(2), field: .title, replacer: Self.id(4))]
        f.statuses = [.init(id: Self.id(3), withdrawn: true, time: Self.t(3)), .init(id: Self.id(5), withdrawn: false, time: Self.t(5))]
        let now = try #require(RecordFold.state(f))
        #expect(now.value(.title) == .string("new") && !now.withdrawn)
        let at3 = try #require(HLCTime(Self.t(3)))
        let then = try #require(RecordFold.state(f, cutoff: Cutoff(time: at3)))
        #expect(then.value(.title) == .string("old") && then.withdrawn)
        // Before its creation the record does not exist.
        let before = try #require(HLCTime("2025-12-31T00:00:00.000Z#00000"))
        #expect(RecordFold.state(f, cutoff: Cutoff(time: before)) == nil)
    }

    @Test func theEarliestCreationNamesTheRecordAndAnyOrderGivesTheSameState() throws {
        var f = Self.base
        f.creations.append(.init(id: Self.id(0), symbol: "A/RES/71/19", time: Self.t(9)))
        f.revisions = (2..<9).map { Self.title($0, "v\($0)", by: "a\($0 % 3)") }
        f.bases = [
            .init(base: Self.id(2), field: .title, replacer: Self.id(5)), .init(base: Self.id(3), field: .title, replacer: Self.id(7)),
        ]
        f.adds = (2..<6).map { .init(id: Self.id($0), kind: .topic, item: "t\($0 % 2)", value: "\"t\($0 % 2)\"", time: Self.t($0)) }
        f.removes = [.init(id: Self.id(7), kind: .topic, item: "t0", seen: Self.id(2), time: Self.t(7))]
        let expected = RecordFold.state(f)
        var g = f
        var rng = SplitMix64(state: 42)
        for _ in 0..<30 {
            g.creations.shuffle(using: &rng)
            g.revisions.shuffle(using: &rng)
            g.bases.shuffle(using: &rng)
            g.adds.shuffle(using: &rng)
            #expect(RecordFold.state(g) == expected)
        }
        #expect(expected?.fields[.title]?.heads.map(\.id) == [4, 6, 8, 5, 7].map(Self.id).sorted())
        #expect(expected?.topics == ["t0", "t1"])
    }
}
