import BotHost
import DiscordEmulator
import Foundation
import PluginAPI

/// Bus publish → C plugin callback through the ABI.
enum BusBench {
    typealias Delivered = @convention(c) () -> UInt64
    typealias Record = @convention(c) (Int) -> Void
    typealias Latencies = @convention(c) (UnsafeMutablePointer<Int>) -> UnsafePointer<UInt64>?
    typealias OnMessage = @convention(c) (UnsafeMutableRawPointer?, UInt64, bothost_str, bothost_bytes) -> Void

    static func run(_ env: BenchEnvironment) async throws {
        let sink = try env.compileC("Benchmarks/Plugins/sink.c", name: "sink")
        let directory = env.scratch.appendingPathComponent("bus").path
        let (runtime, manager) = try env.makeRuntime(hostJSON: #"{"busQueueCapacity": 4194304, "busQueueCapacityBytes": 1073741824, "logLevel": "warning"}"#, directory: directory)
        let file = try PluginsFileLoader.parse(Array(#"{"plugins": [{"name": "sink", "library": "\#(sink)"}]}"#.utf8), file: "bench.json")
        await manager.apply(file)

        guard let handle = dlopen(sink, RTLD_NOW | RTLD_LOCAL),
              let deliveredSym = dlsym(handle, "bench_sink_delivered"), let recordSym = dlsym(handle, "bench_sink_record"),
              let latenciesSym = dlsym(handle, "bench_sink_latencies"), let onMessageSym = dlsym(handle, "bench_sink_on_message") else {
            throw BenchError(message: "sink plugin symbols missing")
        }
        let delivered = unsafeBitCast(deliveredSym, to: Delivered.self)
        let record = unsafeBitCast(recordSym, to: Record.self)
        let latencies = unsafeBitCast(latenciesSym, to: Latencies.self)
        let onMessage = unsafeBitCast(onMessageSym, to: OnMessage.self)

        // 1. Throughput: publish N events with a 100-byte payload, wait for the last delivery.
        let count = 2_000_000
        let payload = [UInt8](repeating: 0x61, count: 100)
        var best = 0.0
        for _ in 0..<3 {
            let before = delivered()
            let start = monotonicNs()
            var dropped = 0
            for _ in 0..<count { dropped += runtime.bus.publish(topic: "bench.event", payload: payload).dropped }
            while delivered() - before < UInt64(count - dropped) { usleep(50) }
            let seconds = Double(monotonicNs() - start) / 1e9
            best = max(best, Double(count - dropped) / seconds)
            if dropped > 0 { print("      (\(dropped) dropped on a full queue)") }
        }

        // The same callback called directly through a C function pointer, for the ratio.
        let topic = Array("bench.event".utf8)
        let directStart = monotonicNs()
        topic.withUnsafeBufferPointer { t in
            payload.withUnsafeBufferPointer { p in
                t.withMemoryRebound(to: CChar.self) { chars in
                    for _ in 0..<count {
                        onMessage(nil, 1, bothost_str(ptr: chars.baseAddress, len: chars.count), bothost_bytes(ptr: p.baseAddress, len: p.count))
                    }
                }
            }
        }
        let directRate = Double(count) / (Double(monotonicNs() - directStart) / 1e9)
        report("bus → C callback, 1 subscriber, 100 B", String(format: "%.2f M ev/s", best / 1e6), target: "≥ 5 M ev/s", met: best >= 5e6)
        print(String(format: "       direct C function-pointer loop: %.1f M calls/s; the bus runs at 1/%.0f of it", directRate / 1e6, directRate / best))

        // 2. Latency at a steady 100 k events/s for one second.
        let events = 100_000
        record(events)
        var stamped = [UInt8](repeating: 0, count: 100)
        let begin = monotonicNs()
        for i in 0..<events {
            let due = begin + UInt64(i) * 10_000
            while monotonicNs() < due {}
            var now = monotonicNs()
            withUnsafeBytes(of: &now) { stamped.replaceSubrange(0..<8, with: $0) }
            runtime.bus.publish(topic: "bench.latency", payload: stamped)
        }
        var recorded = 0
        var pointer: UnsafePointer<UInt64>? = nil
        for _ in 0..<2000 {
            pointer = latencies(&recorded)
            if recorded >= events { break }
            usleep(1000)
        }
        let samples = pointer.map { Array(UnsafeBufferPointer(start: $0, count: recorded)) }?.sorted() ?? []
        let p50 = Double(percentile(samples, 0.50)) / 1000, p99 = Double(percentile(samples, 0.99)) / 1000
        let maxLatency = Double(samples.last ?? 0) / 1000
        report("delivery latency p99 at 100 k ev/s", String(format: "%.1f µs", p99), target: "< 50 µs", met: p99 < 50 && samples.count == events)
        print(String(format: "       p50 %.1f µs, max %.1f µs, %d of %d delivered", p50, maxLatency, samples.count, events))
        record(0)

        await manager.stopAll()
        await runtime.shutdown()
        try await idleCPU(env)
    }

    /// What the host costs doing nothing: `bothost run` connected to the local Discord with the
    /// plugins of the repository's plugins.json, no traffic, its CPU read from /proc over 10 s.
    /// Executors that waited for work by spinning would show here.
    static func idleCPU(_ env: BenchEnvironment, seconds: Double = 10) async throws {
        let shipped = try Data(contentsOf: env.root.appendingPathComponent("plugins.json"))
        guard let file = try JSONSerialization.jsonObject(with: shipped) as? [String: Any], let plugins = file["plugins"] else {
            throw BenchError(message: "plugins.json has no plugins array")
        }
        let pluginsJSON = String(decoding: try JSONSerialization.data(withJSONObject: plugins), as: UTF8.self)
        var configuration = EmulatorConfiguration()
        configuration.recordsGatewayFrames = false
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        defer { Task { await emulator.shutdown() } }
        let host = try HostProcess.start(env, name: "idle", emulator: emulator, plugins: pluginsJSON)
        defer { host.stop() }
        guard await host.waitForIdentify(emulator) else { throw BenchError(message: "the host never identified") }
        // Let start-up (plugin starts, command sync, GUILD_CREATEs) finish before measuring.
        try await Task.sleep(for: .seconds(3))
        let cpuBefore = host.cpuSeconds()
        let start = monotonicNs()
        try await Task.sleep(for: .seconds(seconds))
        let share = (host.cpuSeconds() - cpuBefore) / (Double(monotonicNs() - start) / 1e9)
        report("host idle CPU, plugins.json's plugins loaded", String(format: "%.2f %% of a core", share * 100), target: "< 1 %", met: share < 0.01)
        print(String(format: "      `bothost run` with no traffic, over %.0f s (/proc/<pid>/stat, 10 ms ticks); RSS %.1f MB", seconds,
                     Double(host.rssKB()) / 1024))
    }
}

