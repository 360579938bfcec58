@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// Isolation as an operator meets it: `bothost run` with a token, against the local Discord. A
/// plugin's segfault kills an in-process host and only the plugin when it is isolated; and the
/// isolated plugin's process holds nothing of the host's secrets.
@Suite struct PluginIsolationProcessTests {
    /// Writes plugins.json with the crasher (crashing in its command handler) and starts the host.
    private func startHost(isolated: Bool, emulator: DiscordEmulator, label: String) throws -> HostProcess {
        let directory = Fixtures.temporaryDirectory(label)
        let config = directory.appendingPathComponent("plugins.json").path
        let isolation = isolated ? #""isolation": "process","# : ""
        try """
            {"plugins": [{"name": "crasher", "library": \(jsonString(try Fixtures.fixture("crasher"))), \(isolation) "config": {"crash": "command"}}]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return try HostProcess(config: config, emulator: emulator)
    }

    private func commandsSynced(_ host: HostProcess) async -> Bool {
        await eventually { host.log.text.contains("slash command(s) to") || host.log.text.contains("slash commands unchanged") }
    }

    private func reply(_ emulator: DiscordEmulator, _ interaction: UInt64) async -> String? {
        await eventuallyValue { emulator.interactionResponses(interaction).first?.body }
    }

    private static let segv = #"[{"name": "action", "type": 3, "value": "segv"}]"#

    @Test func aSegfaultInAPluginKillsAnInProcessHostButOnlyTheIsolatedPlugin() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()

        // In the host's process, the plugin's NULL dereference is the host's.
        let fatal = try startHost(isolated: false, emulator: emulator, label: "isolation-fatal")
        #expect(await commandsSynced(fatal), "\(fatal.log.text)")
        emulator.userInvokesCommand(name: "crasher", options: Self.segv)
        try await Fixtures.offPool { fatal.process.waitUntilExit() }
        #expect(fatal.process.terminationReason == .uncaughtSignal, "the host died of the plugin's signal:\n\(fatal.log.text.suffix(2000))")

        // Isolated, the same fault ends only the plugin's process; the host answers for it while it
        // restarts and it answers again afterwards.
        let host = try startHost(isolated: true, emulator: emulator, label: "isolation-survives")
        #expect(await commandsSynced(host), "\(host.log.text)")
        let first = emulator.userInvokesCommand(name: "crasher")
        #expect(await reply(emulator, first.interactionID)?.contains("alive 0") == true)
        emulator.userInvokesCommand(name: "crasher", options: Self.segv)
        #expect(await eventually { host.log.text.contains("its process died: signal 11 (SIGSEGV)") }, "\(host.log.text.suffix(2000))")
        let answers = AnswerLog()
        #expect(await eventually {
            let again = emulator.userInvokesCommand(name: "crasher")
            guard let body = await reply(emulator, again.interactionID) else { return false }
            answers.add(body)
            return body.contains("alive 0")
        })
        // Meanwhile any answer was the host's "restarting", never silence or an error.
        #expect(answers.all.allSatisfy { $0.contains("alive 0") || $0.contains("is restarting after a crash") }, "\(answers.all)")
        #expect(host.process.isRunning)
        let status = try await Fixtures.offPool { host.stop() }
        #expect(status == 0, "\(host.log.text.suffix(2000))")
        await emulator.shutdown()
    }

    @Test func theIsolatedPluginsProcessHoldsNoTokenAndNoInheritedDescriptors() async throws {
        // A token made for this run, so no binary on the machine holds its bytes.
        var configuration = EmulatorConfiguration()
        configuration.token = "token-" + UUID().uuidString
        let token = configuration.token
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let host = try startHost(isolated: true, emulator: emulator, label: "isolation-privilege")
        #expect(await commandsSynced(host), "\(host.log.text)")
        let pid = try #require(await eventuallyValue { () -> Int32? in
            guard let range = host.log.text.range(of: "started from [^\\n]* in process ([0-9]+)", options: .regularExpression) else { return nil }
            return Int32(host.log.text[range].split(separator: " ").last ?? "")
        })

        // Its environment is what the host chose, and nothing of the host's.
        let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(variables.allSatisfy { $0.hasPrefix("SWIFT_BACKTRACE=") || $0 == "BOTHOST_ISOLATED_PLUGIN=1" || $0.hasPrefix("LD_LIBRARY_PATH=") }, "\(variables)")
        #expect(!variables.contains { $0.contains(token) })

        // Its descriptors: stdin (/dev/null), its output (a pipe), its channel (a socket), and what
        // its own runtime opened since (event loops: anon inodes); nothing of the host's.
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
        let targets = Dictionary(uniqueKeysWithValues: descriptors.map { fd in
            (fd, (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "?")
        })
        #expect(Array(descriptors.prefix(4)) == [0, 1, 2, 3], "\(targets)")
        #expect(targets[0] == "/dev/null" && targets[1]?.hasPrefix("pipe:") == true && targets[3]?.hasPrefix("socket:") == true, "\(targets)")
        #expect(descriptors.dropFirst(4).allSatisfy { targets[$0]?.hasPrefix("anon_inode:") == true }, "\(targets)")

        // no_new_privs is per thread: every thread of the process must have it.
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        #expect(!threads.isEmpty)
        for thread in threads {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)) ?? "NoNewPrivs:\t1"
            #expect(status.contains("NoNewPrivs:\t1"), "thread \(thread) of the plugin's process may gain privileges")
        }

        // Its memory: no copy of the token anywhere it could read. The same scan finds the token in
        // the host's own memory, so a miss here is a fact, not a broken scan.
        // (Scans block: off the shared pool, which every other test needs.)
        let hostPID = host.process.processIdentifier
        #expect(try await Fixtures.offPool { try MemoryScan.contains(pid: pid, Array(token.utf8)) } == false, "the token is in the plugin's memory")
        #expect(try await Fixtures.offPool { try MemoryScan.contains(pid: hostPID, Array(token.utf8)) } == true, "the scan did not find the token in the host")

        // A host killed outright takes the plugin's process with it (the channel closes).
        kill(host.process.processIdentifier, SIGKILL)
        try await Fixtures.offPool { host.process.waitUntilExit() }
        #expect(await eventually { !Self.isAlive(pid) }, "the plugin's process outlived its host")
        await emulator.shutdown()
    }

    /// Whether a process runs (a zombie waiting for its reaper does not).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }
}

private final class AnswerLog: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [String] = []
    func add(_ body: String) { lock.withLock { bodies.append(body) } }
    var all: [String] { lock.withLock { bodies } }
}

/// Reads a process's readable memory through /proc/PID/mem (root, or the same user for a dumpable
/// process) and looks for a byte string.
enum MemoryScan {
    static func contains(pid: Int32, _ needle: [UInt8]) throws -> Bool {
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        let memory = open("/proc/\(pid)/mem", O_RDONLY)
        guard memory >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(memory) }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1].hasPrefix("r") else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2, bounds[1] > bounds[0] else { continue }
            if fields.count >= 6, fields[5] == "[vvar]" || fields[5] == "[vsyscall]" { continue }
            // Read in chunks that overlap by the needle's length, so a match across two is found.
            let overlap = needle.count - 1
            var chunk = [UInt8](repeating: 0, count: (1 << 20) + overlap)
            var offset = bounds[0]
            var carried = 0
            while offset < bounds[1] {
                let count = Int(min(bounds[1] - offset, 1 << 20))
                let read = chunk.withUnsafeMutableBytes { pread(memory, $0.baseAddress! + carried, count, off_t(Int64(bitPattern: offset))) }
                guard read > 0 else { break }
                let filled = carried + read
                let found = chunk.withUnsafeBytes { window in
                    needle.withUnsafeBytes { find($0, in: UnsafeRawBufferPointer(rebasing: window[0..<filled])) }
                }
                if found { return true }
                carried = min(overlap, filled)
                chunk.withUnsafeMutableBytes { raw in
                    if let base = raw.baseAddress { memmove(base, base + filled - carried, carried) }
                }
                offset += UInt64(read)
            }
        }
        return false
    }

    /// Whether `needle` occurs in `haystack`: memchr for its first byte, memcmp for the rest.
    private static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        guard let base = haystack.baseAddress, let first = needle.first, needle.count <= haystack.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            guard let hit = memchr(base + start, Int32(first), last - start + 1) else { return false }
            let index = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(hit, needle.baseAddress!, needle.count) == 0 { return true }
            start = index + 1
        }
        return false
    }
}
