import Foundation

/// Size limits applied before any parsing work.
public struct EventLimits: Sendable {
    public var maxEventBytes: Int
    public var maxEnvelopeBytes: Int

    public init(maxEventBytes: Int = 2 << 20, maxEnvelopeBytes: Int = 8 << 10) {
        self.maxEventBytes = maxEventBytes
        self.maxEnvelopeBytes = maxEnvelopeBytes
    }

    public static let standard = EventLimits()
}
