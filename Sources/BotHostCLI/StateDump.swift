import BotHost
import Dispatch
import Foundation
import Logging

/// The whole host's state dump: the runtime's executors, timers and bus, then the connection's
/// shards and voice. Shown by the console's `dump` and logged on SIGUSR1.
func stateDump(runtime: HostRuntime, connection: DiscordConnection?) -> [String] {
    runtime.diagnosticReport() + (connection?.diagnosticReport() ?? ["Discord: not configured (no token)"])
}

/// Logs the state dump whenever the process receives SIGUSR1 (`kill -USR1 PID`), so a host that
/// stopped answering can be asked what it is waiting on without stopping it.
/// Unchecked: a dispatch source is thread-safe, and it is only resumed and cancelled.
final class StateDumpSignal: @unchecked Sendable {
    private let source: any DispatchSourceSignal

    init(runtime: HostRuntime, connection: DiscordConnection?, logger: Logger) {
        signal(SIGUSR1, SIG_IGN)  // the dispatch source receives it instead of the default action (exit)
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: DispatchQueue(label: "bothost.state-dump"))
        source.setEventHandler {
            let lines = stateDump(runtime: runtime, connection: connection)
            logger.notice("state dump (SIGUSR1):\n  \(lines.joined(separator: "\n  "))")
        }
        source.resume()
        self.source = source
    }

    func cancel() { source.cancel() }
}
