import AccordCore
import Foundation

// The CLI's exits. Everything the commands print passes through one of these three, and
// each applies `TerminalText` (AccordCore), so text that came from data or from a peer
// can never act on a terminal (escape sequences, bidi overrides) or forge a line.
// `--json` output stays exact JSON: the escapes are JSON's own `\uXXXX`.

/// Human and `--json` output on stdout. Shadows `Swift.print` in this module, so no
/// command can print around it.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(TerminalText.safe(items.map { "\($0)" }.joined(separator: separator) + terminator), terminator: "")
}

/// Errors, warnings and progress on stderr.
func printErr(_ s: String) {
    FileHandle.standardError.write(Data((TerminalText.safe(s) + "\n").utf8))
}

/// Data on stdout (canonical JSON, an export): its exact bytes to a file or a pipe; to a
/// terminal, shown through `TerminalText.safe` like any other output.
func writeStdout(_ bytes: [UInt8]) {
    if stdoutIsTerminal {
        Swift.print(TerminalText.safe(String(decoding: bytes, as: UTF8.self)), terminator: "")
    } else {
        FileHandle.standardOutput.write(Data(bytes))
    }
}

/// Whether stdout is a terminal (a person reads it) rather than a file or a pipe.
var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

extension String {
    /// This value on one line of output: line breaks and tabs shown as `\uXXXX`.
    var oneLine: String { TerminalText.oneLine(self) }
}
