import AccordCore
import Foundation

/// Fuzzing entry point for the two parsers every outside byte goes through first: the
/// RFC 8785 canonical JSON parser and the ingest decoder (a wire line to a verified event).
/// `.ci/fuzz` builds this target with `-sanitize=fuzzer -DFUZZING` (libFuzzer then provides
/// `main`); a normal build gives a replayer that runs files, e.g. a crash input, through
/// the same checks.
@_cdecl("LLVMFuzzerTestOneInput")
public func accordFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzChecks.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum FuzzChecks {
    /// Never crashes or hangs, and what is accepted is stable: a parsed value's canonical form
    /// parses to the same canonical form; an accepted event's wire line is accepted again
    /// with the same id.
    static func run(_ bytes: [UInt8]) {
        if let value = try? JSONParser.parse(bytes) {
            let canonical = value.canonicalBytes
            guard let again = try? JSONParser.parse(canonical) else { fatalError("canonical form does not parse: \(canonical)") }
            guard again.canonicalBytes == canonical else { fatalError("canonical form is not a fixed point") }
        }
        if case .success(let event) = WireFormat.verify(line: bytes) {
            guard case .success(let again) = WireFormat.verify(line: event.wireLine), again.id == event.id else {
                fatalError("an accepted event's wire line is not accepted again with the same id")
            }
        }
    }
}

#if FUZZING
    /// libFuzzer's driver, called from this target's own `main` (SwiftPM names every
    /// executable's entry point, so libFuzzer's `main` is not the one that runs).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

@main
struct FuzzMain {
    static func main() throws {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, accordFuzzOneInput))
        #else
            let files = CommandLine.arguments.dropFirst()
            for path in files { FuzzChecks.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) }
            print("replayed \(files.count) inputs: no crash")
        #endif
    }
}
