import AccordCore
import Foundation

/// Reads and writes private key files. A key file is created with mode 0600 and never overwritten.
enum KeyStore {
    static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/accord/key"
    }

    static func load(path: String) throws -> SigningKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("no key at \(path): create one with `accord keygen` or pass --key PATH / set ACCORD_KEY")
        }
        // Like ssh: a private key others can read is refused, not used.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            throw CLIError(
                "\(path) is open to group or others (mode \(String(info.st_mode & 0o777, radix: 8))): a private key must be yours alone; run `chmod 600 \(path)`"
            )
        }
        do {
            return try SigningKey(fileContents: String(decoding: data, as: UTF8.self))
        } catch {
            throw CLIError("\(path): \(error.description)")
        }
    }

    /// Writes a new key file, refusing to replace an existing one.
    static func create(_ key: SigningKey, path: String) throws {
        // (NSString's deletingLastPathComponent traps on a bare file name on Linux.)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST { throw CLIError("\(path) already exists; refusing to overwrite a key") }
            throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(key.fileContents.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw CLIError("cannot write \(path)") }
    }
}
