import AccordCore
import AccordStore
import AccordSync
import Foundation
import Testing

/// The wire messages as Codable types: what one side writes the other reads back, and a
/// peer's malformed message is refused with where and why.
@Suite struct WireMessageTests {
    static let a = SigningKey.fixed("wire-a").author.text
    static let b = SigningKey.fixed("wire-b").author.text
    static let id = String(repeating: "ab", count: 32)

    static func text(_ json: String) -> [UInt8] { Array(json.utf8) }

    @Test func aPullRequestRoundTripsAndItsPageSizesAreBounded() throws {
        var request = SyncProtocol.PullRequest(
            dataset: "ds", vector: VersionVector([Self.a: 3, Self.b: 0]), heads: [Self.a: Self.id], after: 42, maxEvents: 10, maxBytes: 8192
        )
        request.bodies = [Self.id]
        request.forks = [Self.a: 2]
        let back = try WireJSON.decode(SyncProtocol.PullRequest.self, from: WireJSON.encode(request))
        #expect(back == request)
        // A client asking for more than a page may hold gets the limit, and for less, the floor.
        let greedy = try WireJSON.decode(
            SyncProtocol.PullRequest.self, from: Self.text(#"{"vector":{},"maxEvents":100000000,"maxBytes":1}"#))
        #expect(greedy.maxEvents == SyncProtocol.maxPageEvents)
        #expect(greedy.maxBytes == 4096)
        #expect(greedy.after == 0 && greedy.heads.isEmpty && greedy.dataset == nil)
    }

    @Test func aMalformedPullRequestIsRefusedWithWhereAndWhy() {
        let cases: [(String, String)] = [
            (#"{"after":0}"#, "vector is required"),
            (#"{"vector":{},"heads":[1]}"#, "heads maps ed25519: keys"),
            (#"{"vector":{},"author":1,"author":2}"#, "not JSON"),
            (#"{"vector":{"rsa:x":1}}"#, "a version vector maps ed25519: keys"),
            (#"{"vector":{"\#(Self.a)":-1}}"#, "seqs >= 0"),
            (#"{"vector":{"\#(Self.a)":1},"forks":{"\#(Self.a)":2}}"#, "forks: each key of the vector maps to a seq from 1 to its entry"),
            (#"{"vector":{},"heads":{"\#(Self.a)":"nothex"}}"#, "heads maps ed25519: keys to 64-hex event ids"),
            (#"{"vector":{},"bodies":["x"]}"#, "bodies is an array of at most 1000 event ids"),
            (#"{"vector":{},"after":"soon"}"#, "at after: expected"),
            (#"{"vector":"#, "not JSON"),
        ]
        for (json, why) in cases {
            #expect(throws: DomainError.self, "\(json)") { try WireJSON.decode(SyncProtocol.PullRequest.self, from: Self.text(json)) }
            do {
                _ = try WireJSON.decode(SyncProtocol.PullRequest.self, from: Self.text(json))
            } catch {
                #expect(error.message.contains(why), "\(json): \(error.message)")
            }
        }
    }

    /// The end line starts as clients look for it, says `next` even when there is none, and
    /// reads back; a line that only looks like one is refused, its optional parts lenient.
    @Test func aPageEndIsToldFromEventLinesAndReadsBack() throws {
        var end = SyncProtocol.PageEnd(next: nil, events: 3, dataset: "ds", vector: VersionVector([Self.a: 3]), heads: [Self.a: Self.id])
        end.bodies = [Self.id]
        end.unshared = [Self.b]
        let bytes = WireJSON.encode(end)
        #expect(bytes.starts(with: Array(#"{"dataset""#.utf8)))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""next":null"#))
        #expect(try WireJSON.decode(SyncProtocol.PageEnd.self, from: bytes) == end)
        end.dataset = nil
        end.next = 7
        #expect(WireJSON.encode(end).starts(with: Array(#"{"end""#.utf8)))
        #expect(try WireJSON.decode(SyncProtocol.PageEnd.self, from: WireJSON.encode(end)) == end)

        for bad in [#"{"end":false,"vector":{}}"#, #"{"end":true,"next":0,"vector":{}}"#, #"{"end":true,"next":null}"#] {
            #expect(throws: DomainError.self, "\(bad)") { try WireJSON.decode(SyncProtocol.PageEnd.self, from: Self.text(bad)) }
        }
        let lenient = try WireJSON.decode(
            SyncProtocol.PageEnd.self, from: Self.text(#"{"end":true,"next":null,"vector":{},"owed":"all","forks":[1]}"#))
        #expect(lenient.bodies.isEmpty && lenient.forks.isEmpty && lenient.next == nil)
    }

    @Test func aDraftsRequestChecksItsShapes() throws {
        let set = try WireJSON.decode(
            DraftsRequest.self,
            from: Self.text(#"{"author":"\#(Self.a)","edit":"set","symbol":"A/RES/71/19","field":"notes","value":null}"#))
        #expect(set.edit == "set" && set.value == .null && set.text == nil)
        let text = try WireJSON.decode(
            DraftsRequest.self, from: Self.text(#"{"author":"\#(Self.a)","edit":"set","symbol":"A/RES/71/19","field":"notes","text":"x"}"#))
        #expect(text.value?.isNull == nil && text.text == "x")
        let grant = try WireJSON.decode(
            DraftsRequest.self, from: Self.text(#"{"author":"\#(Self.a)","edit":"grant","key":"\#(Self.b)","role":"editor","name":"Bo"}"#))
        #expect(try grant.membershipEdit() == .granted(key: try AuthorKey(parsing: Self.b), role: .editor, name: "Bo"))
        #expect(try set.membershipEdit() == nil)

        let many = (0...DraftsRequest.maxItems).map { "\"t\($0)\"" }.joined(separator: ",")
        let cases: [(String, String)] = [
            (#"{"edit":"set"}"#, "author is required"),
            (#"{"author":"rsa:1","edit":"set"}"#, "ed25519"),
            (#"{"author":"\#(Self.a)"}"#, "edit is required"),
            (#"{"author":"\#(Self.a)","edit":"tag","topics":[]}"#, "topics holds 1 to 1000 items"),
            (#"{"author":"\#(Self.a)","edit":"tag","topics":[\#(many)]}"#, "topics holds 1 to 1000 items"),
            (#"{"author":"\#(Self.a)","edit":"set","seen":["x"]}"#, "seen must be the event ids"),
            (#"{"author":"\#(Self.a)","edit":"add","fields":{"title":1}}"#, "at fields.title: expected"),
        ]
        for (json, why) in cases {
            do {
                _ = try WireJSON.decode(DraftsRequest.self, from: Self.text(json))
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.message.contains(why), "\(json): \(error.message)")
            }
        }
        let bad = try WireJSON.decode(
            DraftsRequest.self, from: Self.text(#"{"author":"\#(Self.a)","edit":"grant","key":"\#(Self.b)","role":"owner","name":"Bo"}"#))
        #expect(throws: InvalidInput.self) { try bad.membershipEdit() }
    }

    @Test func aListRequestReadsTheParametersAsTheAPITakesThem() throws {
        func list(_ json: String) throws -> Curation.ListQuery { try JSONDecoder().decode(ListRequest.self, from: Data(json.utf8)).query }
        let q = try list(#"{"body":"sc","year":" 2020 ","topic":"","status":"withdrawn","sort":"title","limit":"5","offset":"10"}"#)
        #expect(q.body == .sc && q.year == 2020 && q.topic == nil && q.status == .withdrawn && q.order == .title)
        #expect(q.limit == 5 && q.offset == 10)
        #expect(try list("{}") == Curation.ListQuery())
        for (json, why) in [(#"{"year":"soon"}"#, "year must be a whole number"), (#"{"body":"UN"}"#, "body is GA, SC")] {
            #expect(throws: InvalidInput.self) { try list(json) }
            do { _ = try list(json) } catch { #expect("\(error)".contains(why), "\(json): \(error)") }
        }
    }
}
