import Testing

@testable import AccordCore

/// RFC 8785 rules, with cases of our own (the shared conformance data is checked by check-jcs).
@Suite struct CanonicalJSONTests {
    func canon(_ s: String) throws -> String { try JSONParser.parse(s).canonicalString }

    @Test func sortsKeysByUTF16CodeUnits() throws {
        // U+1F600 is D83D DE00 in UTF-16, which sorts before U+FB01 (FB01) though its scalar is larger.
        #expect(try canon(#"{"\uFB01":1,"😀":2,"a":3,"B":4,"":5}"#) == #"{"":5,"B":4,"a":3,"😀":2,"ﬁ":1}"#)
        #expect(try canon(#"{"b":{"d":1,"c":2},"a":[{"z":1,"y":2}]}"#) == #"{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}"#)
    }

    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("1", "1"), ("-1", "-1"), ("1.0", "1"), ("1.5", "1.5"), ("0.1", "0.1"),
        ("100", "100"), ("1e21", "1e+21"), ("1e20", "100000000000000000000"), ("123456789012345678901", "123456789012345680000"),
        ("1e-6", "0.000001"), ("1e-7", "1e-7"), ("1.5e-7", "1.5e-7"), ("0.000001234", "0.000001234"),
        ("9007199254740991", "9007199254740991"), ("9007199254740993", "9007199254740992"),
        ("5e-324", "5e-324"), ("1.7976931348623157e308", "1.7976931348623157e+308"), ("-2.5e+25", "-2.5e+25"),
        ("0.30000000000000004", "0.30000000000000004"), ("333333333.33333329", "333333333.3333333"),
    ])
    func numbersUseTheECMAScriptForm(input: String, expected: String) throws {
        #expect(try canon(input) == expected)
    }

    @Test func escapesOnlyWhatJCSEscapes() throws {
        #expect(try canon(#""\u0000\u001f\b\t\n\f\r\"\\/\u007f\u2028é""#) == "\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\u{7F}\u{2028}é\"")
        #expect(try canon(#""\ud83d\ude00""#) == "\"😀\"")
    }

    @Test func literalsAndWhitespace() throws {
        #expect(try canon(" [ true , false , null , { } , [ ] ] \n") == "[true,false,null,{},[]]")
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, 7, "duplicate member name"),
        (#""\ud800""#, 1, "lone high surrogate"),
        (#""\udc00x""#, 1, "lone low surrogate"),
        ("[NaN]", 1, "NaN and Infinity"),
        ("[Infinity]", 1, "NaN and Infinity"),
        ("[1e400]", 1, "out of the IEEE 754 double range"),
        ("[1,]", 3, "unexpected character"),
        ("{\"a\":1", 6, "unexpected end of input"),
        ("[01]", 2, "leading zeros"),
        ("\"a\tb\"", 2, "unescaped control character"),
        ("[1] x", 4, "unexpected content after"),
        ("tru", 3, "invalid literal"),
        ("[nul]", 4, "invalid literal"),
    ])
    func invalidInputSaysWhereAndWhy(input: String, offset: Int, reason: String) {
        #expect {
            _ = try JSONParser.parse(input)
        } throws: { error in
            guard let e = error as? JSONParseError else { return false }
            return e.offset == offset && e.reason.contains(reason)
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError.self) { _ = try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func topLevelMembersKeepTheirByteRanges() throws {
        let text = Array(#"{ "envelope" : {"b":1} , "sig":"x" }"#.utf8)
        let members = try JSONParser.parseTopLevelMembers(text)
        #expect(members.map(\.key) == ["envelope", "sig"])
        #expect(String(decoding: text[members[0].range], as: UTF8.self) == #"{"b":1}"#)
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { _ = try JSONParser.parse(deep) }
    }

    @Test func valuesAreEqualOnlyWhenTheirCanonicalBytesAre() {
        let nfc = JSONValue.string("Caf\u{E9}")
        let nfd = JSONValue.string("Cafe\u{301}")
        #expect(nfc != nfd)
        #expect(JSONValue.object(["Caf\u{E9}": 1]) != JSONValue.object(["Cafe\u{301}": 1]))
        #expect(JSONValue.array([nfc]) != JSONValue.array([nfd]))
        #expect(Set([nfc, nfd]).count == 2)
        // Equal values hash alike, whatever the order their members were written in.
        let a = JSONValue.object(["a": 1, "b": ["x", .null, true], "c": ["d": 2.5]])
        let b = JSONValue.object(["c": ["d": 2.5], "b": ["x", .null, true], "a": 1])
        #expect(a == b && a.hashValue == b.hashValue && a.canonicalBytes == b.canonicalBytes)
        #expect(a != JSONValue.object(["a": 1, "b": ["x", .null, false], "c": ["d": 2.5]]))
    }
}
