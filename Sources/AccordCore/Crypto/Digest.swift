import Crypto

/// SHA-256 as lowercase hex, the form of event ids and body hashes.
public enum ContentHash {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}
