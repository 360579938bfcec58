/// Log levels of the ABI (BOTHOST_LOG_*).
public enum LogLevel: Int32, Sendable {
    case trace = 0, debug, info, warning, error
}

/// The plugin's log: lines go to the host's log tagged with the plugin's name.
public struct Log: Sendable {
    let host: PluginHost

    public func trace(_ message: String) { write(.trace, message) }
    public func debug(_ message: String) { write(.debug, message) }
    public func info(_ message: String) { write(.info, message) }
    public func warning(_ message: String) { write(.warning, message) }
    public func error(_ message: String) { write(.error, message) }

    /// Logs at `level`. Never fails: a host without a log slot drops the line.
    public func write(_ level: LogLevel, _ message: String) {
        host.table.log(host.plugin, level, message)
    }
}
