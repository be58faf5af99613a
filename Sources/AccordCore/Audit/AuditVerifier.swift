public import Foundation

/// What `accord audit verify` checked, and found to hold.
public struct AuditReport: Sendable, Equatable {
    public var verdict: String
    public var lines: [String]
}

/// The first thing found wrong in a bundle.
public struct AuditFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What an auditor requires beyond the bundle itself: the log key they expect, and witnesses.
public struct AuditPolicy: Sendable {
    public var logKey: String?
    public var witnesses: [String]
    public var quorum: Int

    public init(logKey: String? = nil, witnesses: [String] = [], quorum: Int = 0) {
        self.logKey = logKey
        self.witnesses = witnesses
        self.quorum = quorum
    }
}

/// Verifies an auditor's bundle (`AuditBundle`) alone, offline, in a fixed order; the first
/// failure ends it and is named (Docs/transparency.md lists the order):
/// 1. the header; the checkpoint is a signed note by the log key the header gives, named as
///    its origin, whose origin names the bundle's dataset and that key's node; its size is the
///    header's; every cosignature by a listed witness verifies;
/// 2. each event line: canonical JSON; an event with a body or a redaction marker; a v1
///    envelope; not seen before; the genesis first and every other event of that dataset; its
///    signature; its body's hash; its author's chain (seq and prev); signed by a member allowed
///    to at the time (the membership events before it in the log), or held as evidence past a
///    revocation (at most 16 events past its cut-off);
/// 3. as many events as the checkpoint covers; the events give its root;
/// 4. every missing body is named erased by a valid redaction in the bundle.
public enum AuditVerifier {
    /// The most membership events judged (each one re-folds the membership).
    public static let maxMembershipEvents = 5000

    public static func verify(_ bytes: [UInt8], policy: AuditPolicy = AuditPolicy()) -> Result<AuditReport, AuditFailure> {
        do throws(AuditFailure) {
            return .success(try run(bytes, policy: policy))
        } catch {
            return .failure(error)
        }
    }

    struct Line: Sendable {
        var id = ""
        var envelope: Envelope?
        var body: JSONValue?
        var redacted: String?
        var problem: String?
        var signatureOK = false
        var bodyOK = true
    }

    static func run(_ bytes: [UInt8], policy: AuditPolicy) throws(AuditFailure) -> AuditReport {
        guard bytes.last == 0x0A else { throw AuditFailure("the bundle is empty or its last line is cut off") }
        let raw = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }
        let header = try readHeader(raw[0])
        var report = try checkCheckpoint(header, policy: policy)

        let lines = Parallel.map(Array(raw.dropFirst()), minChunk: 256) { Self.read($0, dataset: header.dataset) }
        var scan = Scan()
        for (k, l) in lines.enumerated() { try scan.take(l, at: k, dataset: header.dataset) }
        let (heads, state, evidence, redactions) = (scan.heads, scan.state, scan.evidence, scan.redactions)
        guard lines.count == header.events else {
            throw AuditFailure("the bundle holds \(lines.count) events; its checkpoint covers \(header.events)")
        }
        let checkpoint = try! Checkpoint(text: header.checkpoint.text)
        let root = Merkle.root(leafHashes: Parallel.map(lines, minChunk: 1024) { Merkle.leafHash(Hex.decode($0.id)!) })
        guard root == checkpoint.root else {
            throw AuditFailure("the events do not give the checkpoint's root: the log it signed holds other events, or another order")
        }
        let erased = try checkRedactions(lines, redactions: redactions)
        report.lines += [
            "events: \(lines.count), every signature verified, chains of \(heads.count) authors whole, no event twice",
            "tree: the \(lines.count) event ids give the checkpoint's root \(Data(root).base64EncodedString())",
            "bodies: \(lines.count - erased) hash to their bodyHash, \(erased) erased by a valid redaction",
            "authority: every event signed by a member allowed to at the time"
                + (evidence > 0 ? "; \(evidence) held as evidence past a revocation, without effect" : ""),
        ]
        report.lines += state.members.values.sorted { $0.key < $1.key }.map { m in
            "member: \(TerminalText.oneLine(m.name)) (\(m.role.rawValue)) \(m.key)"
                + (m.validThroughSeq.map { ", revoked after seq \($0)" } ?? "")
        }
        report.verdict =
            "Verified: \(lines.count) events of dataset \(header.dataset.prefix(16)), checkpoint \(checkpoint.origin) at size \(checkpoint.size), "
            + report.verdict
        return report
    }

    /// The ordered scan of the event lines: what the lines before the next one established.
    struct Scan {
        var seen: [String: Int] = [:]
        var heads: [String: (seq: Int, id: String)] = [:]
        var facts: [MembershipFact] = []
        var state = MembershipState.fold(genesisAuthor: nil, facts: [])
        var genesisAuthor: String?
        var evidence = 0
        var redactions: [String: [Int]] = [:]

        /// Checks line `k` (0: the genesis) against what the lines before it established.
        mutating func take(_ l: Line, at k: Int, dataset: String) throws(AuditFailure) {
            let n = k + 2
            if let p = l.problem { throw AuditFailure("line \(n): \(p)") }
            let e = l.envelope!
            let short = String(l.id.prefix(16))
            if let first = seen[l.id] { throw AuditFailure("line \(n) is the event of line \(first) again") }
            seen[l.id] = n
            if k == 0 {
                guard e.isGenesis else { throw AuditFailure("line 2 is not the dataset's genesis (dataset.created)") }
                guard l.id == dataset else { throw AuditFailure("line 2 is the genesis of another dataset than \(dataset)") }
                genesisAuthor = e.author
                state = MembershipState.fold(genesisAuthor: genesisAuthor, facts: [])
            } else {
                guard !e.isGenesis, e.dataset == dataset else {
                    throw AuditFailure("line \(n): event \(short) is not of dataset \(dataset.prefix(16))")
                }
            }
            guard l.signatureOK else { throw AuditFailure("line \(n): the signature of event \(short) does not verify") }
            guard l.bodyOK else { throw AuditFailure("line \(n): the body of event \(short) does not hash to its bodyHash") }
            let head = heads[e.author]
            guard e.seq == (head?.seq ?? 0) + 1 else {
                throw AuditFailure("line \(n): event \(short) is seq \(e.seq) of \(e.author), after seq \(head?.seq ?? 0)")
            }
            guard e.prev == head?.id else {
                throw AuditFailure("line \(n): event \(short) does not follow seq \(head!.seq) of \(e.author) (prev is not its id)")
            }
            heads[e.author] = (e.seq, l.id)
            if k > 0, try AuditVerifier.judge(l, line: n, state: state) { evidence += 1 }
            if AuthorizationEvent.isAuthorizationType(e.type) { try takeFact(l, line: n) }
        }

        mutating func takeFact(_ l: Line, line n: Int) throws(AuditFailure) {
            let e = l.envelope!
            guard let body = l.body, let fact = try? AuthorizationEvent(type: e.type, schema: e.schema, subject: e.subject, body: body)
            else { throw AuditFailure("line \(n): the \(e.type) body of event \(l.id.prefix(16)) is missing or does not decode") }
            if case .redacted(let target, _) = fact {
                redactions[target, default: []].append(n)
                return
            }
            facts.append(MembershipFact(id: l.id, author: e.author, seq: e.seq, time: e.timeText, event: fact))
            guard facts.count <= AuditVerifier.maxMembershipEvents else {
                throw AuditFailure(
                    "the bundle holds more than \(AuditVerifier.maxMembershipEvents) membership events; this verifier judges no more")
            }
            state = MembershipState.fold(genesisAuthor: genesisAuthor, facts: facts)
        }
    }

    /// Whether the event counts (false) or is held as evidence past a revocation (true); throws
    /// when its author was no member allowed to sign it at the time.
    static func judge(_ l: Line, line n: Int, state: MembershipState) throws(AuditFailure) -> Bool {
        let e = l.envelope!
        let needsAdmin = AuthorizationEvent.isAuthorizationType(e.type)
        switch state.authorize(e.author, seq: e.seq) {
        case .valid(let role):
            if needsAdmin && role != .admin {
                throw AuditFailure("line \(n): event \(l.id.prefix(16)) is a \(e.type) by \(e.author), who was an editor, not an admin")
            }
            return false
        case .revoked(let cut):
            guard e.seq <= cut + MembershipState.maxEventsBeyondRevocation else {
                throw AuditFailure(
                    "line \(n): event \(l.id.prefix(16)) is seq \(e.seq) of \(e.author), more than \(MembershipState.maxEventsBeyondRevocation) past its revocation after seq \(cut)"
                )
            }
            return true
        case .notMember:
            throw AuditFailure("line \(n): event \(l.id.prefix(16)) is signed by \(e.author), who was no member then")
        }
    }

    static func checkRedactions(_ lines: [Line], redactions: [String: [Int]]) throws(AuditFailure) -> Int {
        var erased = 0
        for (k, l) in lines.enumerated() where l.body == nil {
            let named = l.redacted!
            guard redactions[l.id, default: []].contains(where: { lines[$0 - 2].id == named }),
                RedactionRule.mayErase(targetType: l.envelope!.type)
            else {
                throw AuditFailure(
                    "line \(k + 2): the body of event \(l.id.prefix(16)) is missing, and no redaction in the bundle erases it")
            }
            erased += 1
        }
        return erased
    }

    static func readHeader(_ line: [UInt8]) throws(AuditFailure) -> AuditBundle.Header {
        let bad = AuditFailure("line 1 is not an Accord audit bundle header (format \(AuditBundle.format))")
        guard let json = try? JSONParser.parse(line), json.canonicalBytes == line, case .object(let m) = json,
            m["accord-audit"]?.intValue == AuditBundle.format, let note = m["checkpoint"]?.stringValue,
            let dataset = m["dataset"]?.stringValue, Hex.isSHA256(dataset), let events = m["events"]?.intValue, events >= 0,
            let exported = m["exported"]?.stringValue, let vkey = m["vkey"]?.stringValue, case .array(let w) = m["witnesses"]
        else { throw bad }
        let witnesses = w.compactMap(\.stringValue)
        guard witnesses.count == w.count else { throw bad }
        guard let signed = try? SignedNote(parsing: Array(note.utf8)) else {
            throw AuditFailure("the checkpoint is not a C2SP signed note")
        }
        return AuditBundle.Header(
            checkpoint: signed, dataset: dataset, events: events, exported: exported, vkey: vkey, witnesses: witnesses)
    }

    /// The checkpoint's signature, origin, size and cosignatures; the report so far.
    static func checkCheckpoint(_ h: AuditBundle.Header, policy: AuditPolicy) throws(AuditFailure) -> AuditReport {
        guard let checkpoint = try? Checkpoint(text: h.checkpoint.text) else {
            throw AuditFailure("the checkpoint's text is not origin, tree size and root hash")
        }
        guard let key = try? NoteVerifier(vkey: h.vkey), key.type == NoteVerifier.ed25519 else {
            throw AuditFailure("the log key is not a C2SP Ed25519 verifier key")
        }
        guard key.name == checkpoint.origin else {
            throw AuditFailure("the log key is named \(TerminalText.oneLine(key.name)), not the checkpoint's origin \(checkpoint.origin)")
        }
        guard let origin = try? LogOrigin(parsing: checkpoint.origin), checkpoint.origin.hasPrefix("accord/\(h.dataset.prefix(16))/")
        else {
            throw AuditFailure(
                "the checkpoint's origin \(TerminalText.oneLine(checkpoint.origin)) is not a log of dataset \(h.dataset.prefix(16))")
        }
        guard origin.node == Hex.encode(key.publicKey.prefix(8)) else {
            throw AuditFailure("the log key is not the key of node \(origin.node), which the origin names")
        }
        if let pinned = policy.logKey, pinned != h.vkey {
            throw AuditFailure("the log key is not the one given (\(TerminalText.oneLine(pinned)))")
        }
        let text = Array(h.checkpoint.text.utf8)
        guard let mine = h.checkpoint.signatures.first(where: { $0.name == key.name && $0.keyID == key.keyID }),
            key.verifies(mine.bytes, text: text)
        else { throw AuditFailure("the checkpoint's signature by its log key does not verify") }
        guard checkpoint.size == h.events else {
            throw AuditFailure("the header says \(h.events) events, the checkpoint \(checkpoint.size)")
        }
        var cosigners: [String] = []
        var cosignedBy: Set<String> = []
        for vkey in h.witnesses {
            guard let w = try? NoteVerifier(vkey: vkey), w.type == NoteVerifier.cosignature else {
                throw AuditFailure("witness key \(TerminalText.oneLine(String(vkey.prefix(120)))) is not a C2SP cosignature key")
            }
            for s in h.checkpoint.signatures where s.name == w.name && s.keyID == w.keyID {
                guard w.verifies(s.bytes, text: text), let time = Cosignature.time(of: s) else {
                    throw AuditFailure("the cosignature of \(w.name) does not verify")
                }
                cosigners.append("\(w.name) at \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time))))")
                cosignedBy.insert(vkey)
            }
        }
        let required = cosignedBy.intersection(policy.witnesses).count
        if policy.quorum > 0, required < policy.quorum {
            throw AuditFailure("\(required) of the witnesses given co-signed; \(policy.quorum) are required")
        }
        return AuditReport(
            verdict: "signed by its log key, \(cosigners.count) witness cosignature\(cosigners.count == 1 ? "" : "s")",
            lines: [
                "checkpoint: \(checkpoint.origin), \(checkpoint.size) events, signed by \(h.vkey)",
                "cosignatures: " + (cosigners.isEmpty ? "none" : cosigners.joined(separator: "; ")),
            ])
    }

    /// Everything one line says alone (parsed, hashed and its signature checked on any core).
    static func read(_ bytes: [UInt8], dataset: String) -> Line {
        var l = Line()
        guard let json = try? JSONParser.parse(bytes), json.canonicalBytes == bytes, case .object(let m) = json else {
            l.problem = "not canonical JSON (RFC 8785)"
            return l
        }
        guard m.keys.allSatisfy(["body", "envelope", "redacted", "sig"].contains), let env = m["envelope"], case .object = env,
            let sig = m["sig"]?.stringValue
        else {
            l.problem = "not an audit event (envelope, sig, and body or redacted)"
            return l
        }
        let redacted = m["redacted"]
        if m["body"] == nil && redacted == nil {
            l.problem = "the event's body is missing, and no redaction is named"
            return l
        }
        guard m["body"] == nil || redacted == nil, redacted == nil || Hex.isSHA256(redacted?.stringValue ?? "") else {
            l.problem = "not an audit event (envelope, sig, and body or redacted)"
            return l
        }
        guard let envelope = try? Envelope(json: env) else {
            l.problem = "the envelope is not an Accord v1 envelope"
            return l
        }
        let envBytes = env.canonicalBytes
        l.id = ContentHash.sha256Hex(envBytes)
        l.envelope = envelope
        l.body = m["body"]
        l.redacted = redacted?.stringValue
        if let author = try? AuthorKey(parsing: envelope.author), let s = Base64URL.decode(sig), s.count == 64 {
            l.signatureOK = author.verify(signature: s, over: envBytes)
        }
        if let body = l.body { l.bodyOK = ContentHash.sha256Hex(body.canonicalBytes) == envelope.bodyHash }
        return l
    }
}
