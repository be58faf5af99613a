import AccordCore
import Foundation
import Testing

/// Vectors made by others, not by this implementation: RFC 8032's Ed25519 test vectors and
/// the RFC 8785 conformance data of the JCS reference implementation (kept in
/// Fixtures/jcs with its NOTICE; numbers.csv holds IEEE doubles as a JavaScript engine's
/// JSON.stringify writes them).
@Suite struct ExternalVectorTests {
    struct Ed25519Vector: Sendable, CustomTestStringConvertible {
        let name, secret, publicKey, message, signature: String
        var testDescription: String { name }
    }

    /// RFC 8032, section 7.1, TEST 1 to 3.
    static let rfc8032 = [
        Ed25519Vector(
            name: "TEST 1", secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", message: "",
            signature:
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        Ed25519Vector(
            name: "TEST 2", secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", message: "72",
            signature:
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        Ed25519Vector(
            name: "TEST 3", secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", message: "af82",
            signature:
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ]

    @Test(arguments: rfc8032) func ed25519MatchesRFC8032(_ v: Ed25519Vector) throws {
        let seed = try #require(Hex.decode(v.secret))
        let key = try SigningKey(fileContents: "accord-ed25519-private-key-v1:" + Base64URL.encode(seed))
        #expect(key.author.text == "ed25519:" + Base64URL.encode(try #require(Hex.decode(v.publicKey))))
        let message = try #require(Hex.decode(v.message))
        let signature = Data(try #require(Hex.decode(v.signature)))
        // Ed25519 is deterministic: this key signs the message exactly as the RFC does.
        #expect(Hex.encode(key.sign(message)) == v.signature)
        #expect(key.author.verify(signature: signature, over: message))
        var flipped = signature
        flipped[0] ^= 1
        #expect(!key.author.verify(signature: flipped, over: message))
    }

    static var jcs: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/jcs") }

    static var jcsCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: jcs.path)) ?? []).filter { $0.hasSuffix(".input.json") }
            .map { String($0.dropLast(".input.json".count)) }.sorted()
    }

    @Test func theJCSReferenceDataIsPresent() {
        #expect(Self.jcsCases == ["arrays", "french", "structures", "unicode", "values", "weird"])
    }

    @Test(arguments: jcsCases) func canonicalJSONMatchesTheJCSReference(_ name: String) throws {
        let input = try Data(contentsOf: Self.jcs.appendingPathComponent(name + ".input.json"))
        var expected = [UInt8](try Data(contentsOf: Self.jcs.appendingPathComponent(name + ".expected.json")))
        while expected.last == 0x0A { expected.removeLast() }
        #expect(try JSONParser.parse([UInt8](input)).canonicalBytes == expected)
    }

    @Test func numbersMatchECMAScript() throws {
        let lines = try String(contentsOf: Self.jcs.appendingPathComponent("numbers.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5000)
        var wrong: [String] = []
        for line in lines {
            let parts = line.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, let bits = UInt64(parts[0], radix: 16) else {
                wrong.append("unreadable line \(line)")
                continue
            }
            let d = Double(bitPattern: bits)
            guard d.isFinite else {
                wrong.append("\(parts[0]) is not a finite number: JSON has none")
                continue
            }
            let written = JSONValue.number(d).canonicalString
            if written != parts[1] { wrong.append("\(parts[0]): \(written), expected \(parts[1])") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }
}
