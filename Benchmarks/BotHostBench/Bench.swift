import BotHost
import Foundation

/// `make bench`: the plugin-host core's speed and memory targets, printed as figures.
@main
struct Bench {
    static func main() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bothost-bench-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let env = BenchEnvironment(root: root, scratch: scratch)

        // `BotHostBench gateway ratelimit` runs only those groups; no arguments runs them all.
        let groups: [(name: String, run: (BenchEnvironment) async throws -> Void)] = [
            ("bus", BusBench.run),
            ("isolation", IsolationBench.run),
            ("load", LoadBench.run),
            ("memory", MemoryBench.run),
            ("ratelimit", RateLimitBench.run),
            ("gateway", GatewayBench.run),
            ("voicemedia", VoiceMediaBench.run),
            ("voicepacing", VoicePacingBench.run),
            ("gamesessions", GameSessionsBench.run),
            ("mls", MLSBench.run),
            ("dave", DAVEBench.run),
        ]
        let wanted = Set(CommandLine.arguments.dropFirst())
        if let unknown = wanted.first(where: { name in !groups.contains { $0.name == name } }) {
            // A usage error, not a crash: say what exists and exit as command-line tools do.
            FileHandle.standardError.write(Data("BotHostBench: no bench group \"\(unknown)\"\nusage: BotHostBench [GROUP …]  (none: all)\ngroups: \(groups.map(\.name).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        print("BotHost bench — \(ProcessInfo.processInfo.activeProcessorCount) cores, release build")
        print(String(repeating: "-", count: 78))
        for group in groups where wanted.isEmpty || wanted.contains(group.name) {
            try await group.run(env)
        }
    }
}

struct BenchEnvironment {
    let root: URL
    let scratch: URL

    /// The folder of this executable: the release build's products (plugins, `bothost`).
    var releaseDirectory: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// Compiles a C plugin with -O2 and only the ABI header.
    func compileC(_ source: String, name: String) throws -> String {
        let output = scratch.appendingPathComponent("lib\(name).so").path
        try run("/usr/bin/env", ["cc", "-std=c11", "-O2", "-shared", "-fPIC",
                                 "-I", root.appendingPathComponent("Sources/PluginAPI/include").path,
                                 "-o", output, root.appendingPathComponent(source).path])
        return output
    }

    func makeRuntime(hostJSON: String, directory: String) throws -> (HostRuntime, PluginManager) {
        let file = try PluginsFileLoader.parse(Array(#"{"host": \#(hostJSON), "plugins": []}"#.utf8), file: "bench.json")
        let database = try HostDatabase(directory: directory)
        let runtime = HostRuntime(settings: file.host, database: database)
        let manager = PluginManager(runtime: runtime, pluginsDirectory: releaseDirectory, configDirectory: directory)
        return (runtime, manager)
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(message: "\(arguments.joined(separator: " ")): \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Prints one figure against its target.
func report(_ name: String, _ value: String, target: String, met: Bool) {
    let mark = met ? "ok  " : "MISS"
    print("[\(mark)] \(padded(name, 46)) \(padded(value, 18)) target \(target)")
}

/// `text` widened to `width` columns; a longer one is kept whole (String.padding would cut it).
private func padded(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func monotonicNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
