import DiscordEmulator
import Foundation

/// `bothost run` as a child process connected to the local Discord.
struct HostProcess {
    let process: Process
    let logPath: String

    static func start(_ env: BenchEnvironment, name: String, emulator: DiscordEmulator, plugins: String) throws -> HostProcess {
        let directory = env.scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("plugins.json").path
        try #"{"host": {"logLevel": "info"}, "plugins": \#(plugins)}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.releaseDirectory + "/bothost")
        process.arguments = ["run", "--config", config, "--plugins-dir", env.releaseDirectory,
                             "--data-dir", directory.appendingPathComponent("data").path, "--no-console"]
        var environment = ProcessInfo.processInfo.environment
        environment["DISCORD_TOKEN"] = emulator.configuration.token
        environment["DISCORD_API_URL"] = emulator.apiBaseURL
        environment["DISCORD_GATEWAY_URL"] = emulator.gatewayURL
        process.environment = environment
        let log = directory.appendingPathComponent("host.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        return HostProcess(process: process, logPath: log)
    }

    /// The host's log, for a failure report.
    func logTail(lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    func waitForIdentify(_ emulator: DiscordEmulator) async -> Bool {
        for _ in 0..<300 {
            if !emulator.identifies.isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// User + system CPU time of the process so far.
    func cpuSeconds() -> Double { Self.cpuSeconds(pid: process.processIdentifier) }

    /// User + system CPU time of any process so far (0 if it cannot be read).
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func rssKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
