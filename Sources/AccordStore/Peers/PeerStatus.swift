import AccordCore
import Foundation
import GRDB

/// Node-local memory of sync peers (not part of the log, not rebuilt from it).
public struct PeerStatus: Sendable, Codable, Equatable {
    public let url: String
    public let lastAttempt: String?
    public let lastSuccess: String?
    public let failures: Int
    public let lastResult: String?
}

extension EventLog {
    /// Records the outcome of a sync with `url`; `result` is a JSON summary.
    public func recordPeer(url: String, ok: Bool, result: String) throws {
        let now = HLCTime(millis: HybridLogicalClock.wallMillis()).description
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO peers(url, last_attempt, last_success, failures, last_result) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(url) DO UPDATE SET last_attempt = excluded.last_attempt,
                        last_success = coalesce(excluded.last_success, peers.last_success),
                        failures = CASE WHEN ? THEN 0 ELSE peers.failures + 1 END, last_result = excluded.last_result
                    """, arguments: [url, now, ok ? now : nil, ok ? 0 : 1, result, ok])
        }
    }

    public func peers() throws -> [PeerStatus] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT url, last_attempt, last_success, failures, last_result FROM peers ORDER BY url").map {
                PeerStatus(url: $0[0], lastAttempt: $0[1], lastSuccess: $0[2], failures: $0[3], lastResult: $0[4])
            }
        }
    }
}
