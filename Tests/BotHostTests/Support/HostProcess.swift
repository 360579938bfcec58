import DiscordEmulator
import Foundation
import Testing

/// `bothost run` as an operator starts it: a real process with its plugins.json, pointed at the
/// local Discord through the environment (or at no Discord when `emulator` is nil).
struct HostProcess {
    let process = Process()
    let log: OutputCollector

    init(config: String, emulator: DiscordEmulator?) throws {
        process.executableURL = URL(fileURLWithPath: CLITests.executable)
        process.arguments = ["run", "--config", config, "--no-console"]
        var environment = ProcessInfo.processInfo.environment
        for key in ["DISCORD_TOKEN", "DISCORD_API_URL", "DISCORD_GATEWAY_URL"] { environment[key] = nil }
        if let emulator {
            environment["DISCORD_TOKEN"] = emulator.configuration.token
            environment["DISCORD_API_URL"] = emulator.apiBaseURL
            environment["DISCORD_GATEWAY_URL"] = emulator.gatewayURL
        }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        log = OutputCollector(errors.fileHandleForReading)
        try process.run()
    }

    /// SIGTERM, as systemd stops it; returns the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
