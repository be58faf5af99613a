import Testing

@testable import AccordCore

@Suite struct ChainRulesTests {
    let key = SigningKey.fixed("chain-rules")
    let dataset = String(repeating: "d", count: 64)

    func event(seq: Int, prev: String?) -> UnsignedEvent {
        UnsignedEvent(
            draft: EventDraft(type: "field.set", subject: "A/RES/71/19", body: ["n": .int(seq)]), dataset: dataset,
            author: key.author, seq: seq, prev: prev, time: HLCTime(millis: 1000))
    }

    func decide(_ u: UnsignedEvent, head: ChainHead?, idAtSeq: String? = nil, dataset: String? = nil) -> ChainDecision {
        ChainRules.decide(id: u.id, envelope: u.envelope, dataset: dataset ?? self.dataset, head: head, idAtSeq: idAtSeq, wallMillis: 1000)
    }

    /// A time beyond the receiver's clock plus the drift bound is refused (it would win every
    /// last-writer-wins choice while ahead); at the bound it is taken. A copy of an event
    /// already held stays a duplicate, a second event at a held seq stays evidence.
    @Test func aTimeBeyondTheDriftBoundIsRefused() {
        let bound = HybridLogicalClock.maxDriftMillis
        func at(_ millis: Int64) -> UnsignedEvent {
            UnsignedEvent(
                draft: EventDraft(type: "field.set", subject: "A/RES/71/19", body: ["n": 1]), dataset: dataset,
                author: key.author, seq: 1, prev: nil, time: HLCTime(millis: millis))
        }
        func decide(_ u: UnsignedEvent, wall: Int64, head: ChainHead? = nil, idAtSeq: String? = nil) -> ChainDecision {
            ChainRules.decide(id: u.id, envelope: u.envelope, dataset: dataset, head: head, idAtSeq: idAtSeq, wallMillis: wall)
        }
        #expect(decide(at(1000 + bound), wall: 1000) == .append(adoptsDataset: false))
        let ahead = at(1001 + bound)
        guard case .reject(let r) = decide(ahead, wall: 1000) else { Issue.record("taken"); return }
        #expect(r.code == .futureTime && r.message.contains(ahead.envelope.timeText))
        // Once the clock gets there, the same event is taken.
        #expect(decide(ahead, wall: 1001) == .append(adoptsDataset: false))
        let held = ChainHead(seq: 1, id: ahead.id)
        #expect(decide(ahead, wall: 1000, head: held, idAtSeq: ahead.id) == .duplicate)
        let other = at(2000 + bound)
        #expect(decide(other, wall: 1000, head: held, idAtSeq: ahead.id) == .fork(existingID: ahead.id))
    }

    @Test func nextInChainIsAppended() {
        let first = event(seq: 1, prev: nil)
        #expect(decide(first, head: nil) == .append(adoptsDataset: false))
        let second = event(seq: 2, prev: first.id)
        #expect(decide(second, head: ChainHead(seq: 1, id: first.id)) == .append(adoptsDataset: false))
    }

    @Test func gapsWrongPrevForksDuplicatesAndDatasets() {
        let first = event(seq: 1, prev: nil)
        let third = event(seq: 3, prev: first.id)
        guard case .reject(let gap) = decide(third, head: ChainHead(seq: 1, id: first.id)) else { Issue.record(); return }
        #expect(gap.code == .seqGap)
        let badPrev = event(seq: 2, prev: String(repeating: "0", count: 64))
        guard case .reject(let wp) = decide(badPrev, head: ChainHead(seq: 1, id: first.id)) else { Issue.record(); return }
        #expect(wp.code == .wrongPrev)
        #expect(decide(first, head: ChainHead(seq: 1, id: first.id), idAtSeq: first.id) == .duplicate)
        let other = event(seq: 1, prev: nil)
        let twin = UnsignedEvent(
            draft: EventDraft(type: "field.set", subject: "A/RES/71/19", body: ["n": 99]), dataset: dataset,
            author: key.author, seq: 1, prev: nil, time: HLCTime(millis: 2000))
        #expect(decide(twin, head: ChainHead(seq: 1, id: other.id), idAtSeq: other.id) == .fork(existingID: other.id))
        guard case .reject(let wd) = decide(first, head: nil, dataset: String(repeating: "e", count: 64)) else { Issue.record(); return }
        #expect(wd.code == .wrongDataset)
    }

    @Test func genesisIsAdoptedByAnEmptyNodeOnly() {
        let g = UnsignedEvent(draft: .genesis(name: "x"), dataset: nil, author: key.author, seq: 1, prev: nil, time: HLCTime(millis: 1))
        #expect(
            ChainRules.decide(id: g.id, envelope: g.envelope, dataset: nil, head: nil, idAtSeq: nil, wallMillis: 1000)
                == .append(adoptsDataset: true))
        #expect(
            ChainRules.decide(
                id: g.id, envelope: g.envelope, dataset: g.id, head: ChainHead(seq: 1, id: g.id), idAtSeq: g.id, wallMillis: 1000)
                == .duplicate
        )
        guard
            case .reject(let r) = ChainRules.decide(
                id: g.id, envelope: g.envelope, dataset: dataset, head: nil, idAtSeq: nil, wallMillis: 1000)
        else {
            Issue.record()
            return
        }
        #expect(r.code == .wrongDataset)
        let e = event(seq: 1, prev: nil)
        guard
            case .reject(let nd) = ChainRules.decide(
                id: e.id, envelope: e.envelope, dataset: nil, head: nil, idAtSeq: nil, wallMillis: 1000)
        else {
            Issue.record()
            return
        }
        #expect(nd.code == .noDataset)
    }
}
