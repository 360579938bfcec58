import DiscordEmulator
import Foundation

/// One soak: the emulator in this process, the host as a child process, and a once-a-second loop
/// that keeps every kind of trouble coming.
struct SoakRun {
    let settings: SoakSettings

    struct Result {
        var report: String
        var passed: Bool
    }

    /// An interaction the soak started and expects an answer to.
    private struct Asked {
        let interactionID: UInt64
        let what: String
        let second: Int
    }

    private static let plugins: [(name: String, library: String, config: String)] = [
        ("counter", "libExampleCCounter.so", #"{"tickMs": 1000, "topic": "counter.tick"}"#),
        ("greeter", "libExampleSwiftGreeter.so", #"{"greeting": "Hello", "announceEverySeconds": 0}"#),
        ("ratelimit", "libRateLimit.so", #"{"limiters": {"command": {"rate": 1000, "perSeconds": 60, "burst": 1000}}}"#),
        ("voicesessions", "libVoiceSessions.so", #"{"sessionTimeout": 300000, "recording": {"enabled": false}}"#),
        ("gamesessions", "libGameSessions.so", #"{"sources": []}"#),
    ]

    func run() async throws -> Result {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bothost-soak-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        let pluginsDirectory = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        for plugin in Self.plugins {
            try FileManager.default.copyItem(atPath: settings.buildDirectory + "/" + plugin.library,
                                             toPath: pluginsDirectory.appendingPathComponent(plugin.library).path)
        }
        let config = directory.appendingPathComponent("plugins.json").path
        try writeConfig(config, greeterEnabled: true)

        let host = Process()
        host.executableURL = URL(fileURLWithPath: settings.buildDirectory + "/bothost")
        host.arguments = ["run", "--config", config]
        var environment = ProcessInfo.processInfo.environment
        environment["DISCORD_TOKEN"] = EmulatorConfiguration().token
        environment["DISCORD_API_URL"] = emulator.apiBaseURL
        environment["DISCORD_GATEWAY_URL"] = emulator.gatewayURL
        host.environment = environment
        let console = Pipe()
        host.standardInput = console
        host.standardOutput = FileHandle.nullDevice
        let logPath = directory.appendingPathComponent("host.log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        host.standardError = FileHandle(forWritingAtPath: logPath)
        try host.run()
        let pid = host.processIdentifier
        say("soak: host pid \(pid), log \(logPath), \(settings.seconds) s")

        guard await waitFor(seconds: 60, { emulator.commands(guildID: nil).contains { $0.name == "voice" } }) else {
            host.terminate()
            return Result(report: "soak: FAILED — the host never synced its commands; see \(logPath)", passed: false)
        }

        var asked: [Asked] = []
        var samples: [(second: Int, rssKB: Int, fds: Int)] = []
        var drops = 0, reconnects = 0, toggles = 0, flooded = 0
        var greeterEnabled = true
        let start = ContinuousClock.now
        emulator.userJoinsVoice(channelID: 2002, userID: 3000)
        for second in 0..<settings.seconds {
            let (id, _) = emulator.userInvokesCommand(name: "count", options: #"[{"name":"add","type":4,"value":1}]"#)
            asked.append(Asked(interactionID: id, what: "/count add:1", second: second))
            if greeterEnabled {
                let (greet, _) = emulator.userInvokesCommand(name: "greet", options: #"[{"name":"name","type":3,"value":"soak"}]"#)
                asked.append(Asked(interactionID: greet, what: "/greet", second: second))
            }
            // A bus flood through the console: 500 publishes a second to a topic nobody serves and
            // to one the counter listens on.
            var lines = ""
            for n in 0..<500 { lines += n % 2 == 0 ? "publish soak.flood \(n)\n" : "publish counter.add 0\n" }
            console.fileHandleForWriting.write(Data(lines.utf8))
            flooded += 500
            switch second % 20 {
            case 3:
                let (join, _) = emulator.userInvokesCommand(name: "voice", options: #"[{"name":"join","type":1}]"#)
                asked.append(Asked(interactionID: join, what: "/voice join", second: second))
            case 13:
                let (leave, _) = emulator.userInvokesCommand(name: "voice", options: #"[{"name":"leave","type":1}]"#)
                asked.append(Asked(interactionID: leave, what: "/voice leave", second: second))
            case 7:
                emulator.inject(.dropConnections)
                drops += 1
            case 17:
                emulator.inject(.reconnect)
                reconnects += 1
            default: break
            }
            if second % 30 == 25 {
                greeterEnabled.toggle()
                try writeConfig(config, greeterEnabled: greeterEnabled)
                toggles += 1
            }
            if let sample = Self.sample(pid) { samples.append((second, sample.rssKB, sample.fds)) }
            if second % 60 == 59 {
                say("soak: \(second + 1) s, \(asked.count) interactions, rss \(samples.last?.rssKB ?? 0) kB, \(samples.last?.fds ?? 0) fds")
            }
            try await Task.sleep(until: start + .seconds(second + 1), clock: .continuous)
        }

        // Every interaction must have been answered (replied, deferred or updated) by Discord's clock.
        _ = await waitFor(seconds: 20) { asked.allSatisfy { !emulator.interactionResponses($0.interactionID).isEmpty } }
        let unanswered = asked.filter { emulator.interactionResponses($0.interactionID).isEmpty }
        host.terminate()
        host.waitUntilExit()
        await emulator.shutdown()

        let warm = samples.filter { $0.second >= min(60, settings.seconds / 2) }
        let baseline = warm.first ?? samples.first ?? (0, 0, 0)
        let peakRSS = warm.map(\.rssKB).max() ?? 0
        let peakFDs = warm.map(\.fds).max() ?? 0
        let rssGrowth = peakRSS - baseline.rssKB
        let fdGrowth = peakFDs - baseline.fds
        var checks: [(String, Bool)] = []
        checks.append(("every interaction answered (\(asked.count - unanswered.count)/\(asked.count))", unanswered.isEmpty))
        checks.append(("RSS growth after warm-up \(rssGrowth) kB ≤ \(settings.rssGrowthLimitKB) kB", rssGrowth <= settings.rssGrowthLimitKB))
        checks.append(("open fd growth after warm-up \(fdGrowth) ≤ \(settings.fdGrowthLimit)", fdGrowth <= settings.fdGrowthLimit))
        checks.append(("host exited 0 on SIGTERM (got \(host.terminationStatus))", host.terminationStatus == 0))
        var report = """
            soak: \(settings.seconds) s against the local Discord
              interactions: \(asked.count) sent, \(unanswered.count) unanswered
              faults: \(drops) gateway drops, \(reconnects) op 7 reconnects, \(toggles) plugin toggles (plugins.json edits)
              bus flood: \(flooded) console publishes
              memory: rss \(baseline.rssKB) kB after warm-up, peak \(peakRSS) kB, last \(samples.last?.rssKB ?? 0) kB
              descriptors: \(baseline.fds) after warm-up, peak \(peakFDs), last \(samples.last?.fds ?? 0)
            """
        for item in unanswered.prefix(10) { report += "\n  unanswered: \(item.what) at \(item.second) s (interaction \(item.interactionID))" }
        for (text, ok) in checks { report += "\n  \(ok ? "ok  " : "FAIL") \(text)" }
        let passed = checks.allSatisfy(\.1)
        report += "\n\(passed ? 1 : 0) passed, \(passed ? 0 : 1) failed"
        if passed { try? FileManager.default.removeItem(at: directory) } else { report += "\n  host log kept at \(logPath)" }
        return Result(report: report, passed: passed)
    }

    private func writeConfig(_ path: String, greeterEnabled: Bool) throws {
        let entries = Self.plugins.map { plugin in
            let enabled = plugin.name == "greeter" ? greeterEnabled : true
            return #"    {"name": "\#(plugin.name)", "library": "\#(plugin.library)", "enabled": \#(enabled), "config": \#(plugin.config)}"#
        }
        let text = "{\n  \"host\": {\"owners\": [\"3000\"], \"logLevel\": \"warning\"},\n  \"plugins\": [\n"
            + entries.joined(separator: ",\n") + "\n  ]\n}\n"
        // Written beside and renamed over, as an editor would: the watcher never sees half a file.
        let temporary = path + ".tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else { throw SoakError("cannot replace \(path): errno \(errno)") }
    }

    /// Resident memory and open descriptors of a process, from /proc.
    private static func sample(_ pid: Int32) -> (rssKB: Int, fds: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
              let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        return (kb, fds.count)
    }

    private func waitFor(seconds: Int, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}

func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
