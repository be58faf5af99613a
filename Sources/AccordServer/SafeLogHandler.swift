import AccordCore
public import Logging

/// The exit of log lines: wraps a handler (the node's stderr stream) and passes the
/// message and every metadata value through `TerminalText.oneLine`, so neither a peer's
/// text nor a request's path can forge a log line or act on the terminal reading it.
public struct SafeLogHandler: LogHandler {
    var inner: any LogHandler

    public init(_ inner: any LogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.safe) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.safe) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.oneLine(event.message.description))"
        event.metadata = event.metadata?.mapValues(Self.safe)
        inner.log(event: event)
    }

    static func safe(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): .string(TerminalText.oneLine(s))
        case .stringConvertible(let c): .string(TerminalText.oneLine(c.description))
        case .array(let a): .array(a.map(safe))
        case .dictionary(let d): .dictionary(Dictionary(uniqueKeysWithValues: d.map { (TerminalText.oneLine($0.key), safe($0.value)) }))
        }
    }
}
