public import AccordCore
public import AccordStore
import Foundation
public import NIOCore

/// The client's check of a peer's transparency log, before a sync exchanges anything and
/// again at its end (Docs/transparency.md, "Clients check"): the peer's checkpoint must
/// verify under its key, and extend the one this node verified before from the same log
/// (a consistency proof), or start a new epoch. An inconsistency is kept as evidence and
/// ends the sync, and this node syncs with that log no more until an admin decides.
public enum PeerLogCheck {
    /// What a check found, for the sync's report.
    public struct Outcome: Sendable, Equatable {
        public let origin: String
        public let size: Int
        public let verdict: PeerLogJudge.Verdict
        /// The checkpoint as the peer served it (with any cosignatures).
        public let note: SignedNote

        /// One line: which checkpoint, and how it relates to the one held before.
        public var summary: String {
            switch verdict {
            case .first: "its log \(origin) at \(size) events, held from now on (first seen)"
            case .unchanged: "its log \(origin) at \(size) events, as verified before"
            case .grew(let from): "its log \(origin) at \(size) events, proved to extend the \(from) verified before"
            case .newEpoch(let from, let heldSize):
                "its log \(origin) at \(size) events starts a new epoch after epoch \(from) at \(heldSize) events: "
                    + "the peer restored a backup through Accord (not an attack); events it lost are pushed back by syncing"
            case .inconsistent(let why): "its log \(origin) at \(size) events is inconsistent: \(why)"
            }
        }
    }

    public static func run(
        log: EventLog, transport: any SyncTransport, policy: WitnessPolicy? = nil, timeout: TimeAmount
    ) async throws
        -> Outcome?
    {
        let peer = transport.peer
        try await refuseIfDistrusted(log: log, family: nil, peer: peer)
        guard let (note, vkey) = try await transport.checkpoint(timeout: timeout) else {
            let held = try await BlockingWork.run { try log.heldPeerLogs().first { $0.peer == peer } }
            if let held {
                throw SyncError(
                    "\(peer) signed checkpoints before (its log \(held.checkpoint.origin) at \(held.checkpoint.size) events) and now signs none: "
                        + "is it served without its key (`accord serve --key`)? No events were exchanged")
            }
            return nil
        }
        let seen: PeerCheckpoint
        do {
            seen = try PeerCheckpoint(note: note, vkey: vkey)
        } catch {
            throw SyncError("\(peer) serves a checkpoint this node cannot verify (\(error)); no events were exchanged")
        }
        try await refuseIfDistrusted(log: log, family: seen.origin.family, peer: peer)
        let held = try await BlockingWork.run { try log.heldPeerLog(family: seen.origin.family) }
        if let held, (try? NoteVerifier(vkey: held.vkey))?.publicKey != seen.verifier.publicKey {
            throw SyncError(
                "\(peer) signs its log \(seen.origin) with another key than the one this node verified before; no events were exchanged")
        }
        var proof: [Merkle.Hash]?
        if let (from, to) = PeerLogJudge.proofNeeded(held: held?.checkpoint, new: seen.checkpoint) {
            proof = try await transport.consistencyProof(from: from, to: to, timeout: timeout)
        }
        let verdict = PeerLogJudge.judge(held: held?.checkpoint, new: seen.checkpoint, proof: proof)
        let outcome = Outcome(origin: seen.checkpoint.origin, size: seen.checkpoint.size, verdict: verdict, note: seen.note)
        if case .inconsistent(let why) = verdict, let held {
            let proof = proof ?? []
            let id = try await BlockingWork.run {
                try log.recordEvidence(family: seen.origin.family, peer: peer, detail: why, held: held.note, seen: seen.note, proof: proof)
            }
            throw SyncError(
                "\(peer)'s checkpoint \(seen.checkpoint.origin) at \(seen.checkpoint.size) events contradicts the one this node verified "
                    + "before (\(held.checkpoint.origin) at \(held.checkpoint.size) events): \(why). Evidence #\(id) is kept (`accord evidence`); "
                    + "this node will not sync with that log until an admin decides (`accord evidence decide \(id) --trust|--keep`)")
        }
        // The witnesses this node requires: a checkpoint they did not co-sign lately is not
        // held, and the sync does not go on (a frozen or unwitnessed view).
        if let policy, let why = policy.refusal(seen.note, now: Date()) {
            throw SyncError(
                "\(peer)'s checkpoint \(seen.checkpoint.origin) at \(seen.checkpoint.size) events is not co-signed as this node requires: \(why)"
            )
        }
        _ = try await BlockingWork.run { try log.holdPeerLog(seen, replacing: held, peer: peer) }
        return outcome
    }

    /// Witnesses the checkpoint this node just verified: co-signs it and gives the peer the
    /// cosignature. Returns a line for the report; a peer that does not take it is no failure.
    public static func cosign(_ note: SignedNote, key: SigningKey, transport: any SyncTransport, timeout: TimeAmount) async -> String {
        let signature = Witness.signer(key).signature(over: Array(note.text.utf8), time: UInt64(Date().timeIntervalSince1970))
        let cosigned = SignedNote(text: note.text, signatures: [signature])
        do {
            return try await transport.cosignature(cosigned.bytes, timeout: timeout)
                ? "co-signed its checkpoint as witness \(signature.name)"
                : "co-signed its checkpoint; the peer does not take this node's cosignatures"
        } catch {
            return "co-signed its checkpoint; giving the peer the cosignature failed (\(error))"
        }
    }

    /// Refuses to sync with a log, or a peer, against which undecided evidence is kept.
    static func refuseIfDistrusted(log: EventLog, family: String?, peer: String) async throws {
        let open = try await BlockingWork.run { try log.openEvidence(family: family, peer: peer) }
        if let e = open.first {
            throw SyncError(
                "this node stopped trusting \(e.peer) (\(e.family)) after evidence #\(e.id): \(e.detail). "
                    + "See `accord evidence`; an admin decides with `accord evidence decide \(e.id) --trust|--keep`")
        }
    }
}
