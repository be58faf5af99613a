import Foundation

/// A peer's base URL, checked before it is used or remembered.
public enum PeerURL {
    /// The normalised URL (no trailing slash), or an error that shows the expected form.
    public static func validate(_ text: String) throws(SyncError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let example = "write http://HOST:PORT or https://HOST, e.g. http://127.0.0.1:8080"
        guard let c = URLComponents(string: trimmed), let scheme = c.scheme?.lowercased() else {
            throw SyncError("\"\(text)\" is not a peer URL: \(example)")
        }
        guard scheme == "http" || scheme == "https" else {
            throw SyncError("\"\(text)\" is not a peer URL (scheme \(scheme)): \(example)")
        }
        guard let host = c.host, !host.isEmpty else { throw SyncError("\"\(text)\" names no host: \(example)") }
        guard c.user == nil, c.password == nil, c.query == nil, c.fragment == nil else {
            throw SyncError("\"\(text)\": a peer URL has no user, query or fragment: \(example)")
        }
        if let port = c.port, !(1...65535).contains(port) { throw SyncError("\"\(text)\": port \(port) is out of range") }
        return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
    }
}
