import Foundation

/// The real `bothost` process with the shipped plugins loaded and idle: its resident memory.
enum MemoryBench {
    static func run(_ env: BenchEnvironment) async throws {
        let directory = env.scratch.appendingPathComponent("rss")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("plugins.json").path
        try """
            {"host": {"logLevel": "warning"},
             "plugins": [
               {"name": "counter", "library": "libExampleCCounter.so", "config": {"tickMs": 1000}},
               {"name": "greeter", "library": "libExampleSwiftGreeter.so"},
               {"name": "ratelimit", "library": "libRateLimit.so"}
             ]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.releaseDirectory + "/bothost")
        process.arguments = ["run", "--config", config, "--plugins-dir", env.releaseDirectory,
                             "--data-dir", directory.appendingPathComponent("data").path, "--no-console"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: .seconds(3))
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let rssKB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        process.terminate()
        process.waitUntilExit()
        let mb = Double(rssKB) / 1024
        report("host RSS, shipped plugins loaded, idle", String(format: "%.1f MB", mb), target: "< 40 MB", met: rssKB > 0 && mb < 40)
    }
}
