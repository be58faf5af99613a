/// One key's chain as its only writer keeps it, without a log: a client that signs its own
/// edits (a curator's program, a browser, the bench's clients) places each draft after
/// the last one it signed, with a hybrid-logical-clock time.
public struct ChainSigner: Sendable {
    public let key: SigningKey
    public let dataset: String
    /// The seq and id of the last event this chain signed (0 and nil before the first).
    public private(set) var seq: Int
    public private(set) var prev: String?
    private var clock: HybridLogicalClock

    /// - Parameters: seq, prev, last: where the chain stands (a new key: 0, nil, nil).
    public init(key: SigningKey, dataset: String, seq: Int = 0, prev: String? = nil, last: HLCTime? = nil) {
        self.key = key
        self.dataset = dataset
        self.seq = seq
        self.prev = prev
        clock = HybridLogicalClock(last: last ?? HLCTime(millis: 0))
    }

    /// Signs `draft` as the chain's next event.
    public mutating func sign(_ draft: EventDraft, wallMillis: Int64 = HybridLogicalClock.wallMillis()) -> SignedEvent {
        let u = UnsignedEvent(
            draft: draft, dataset: dataset, author: key.author, seq: seq + 1, prev: prev, time: clock.tick(wallMillis: wallMillis))
        seq += 1
        prev = u.id
        return u.signed(by: key)
    }
}
