import BotHost
import Foundation

/// The RateLimit plugin: `ratelimit.acquire` from another plugin's request to its reply, timed in C
/// (Benchmarks/Plugins/rl_requester.c), and the memory one million tracked keys take.
enum RateLimitBench {
    typealias Run = @convention(c) (UInt64, UInt64, UInt64, UInt64, Int32) -> Int32
    typealias Counter = @convention(c) () -> UInt64
    typealias Latencies = @convention(c) () -> UnsafePointer<UInt64>?
    typealias Ask = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias Answer = @convention(c) () -> UnsafePointer<CChar>?

    /// The requester's back door.
    struct Requester {
        let run: Run, done: Counter, allowed: Counter, failed: Counter, latencies: Latencies
        let ask: Ask, answer: Answer

        init(path: String) throws {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { throw BenchError(message: "cannot dlopen \(path)") }
            func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
                guard let pointer = dlsym(handle, name) else { throw BenchError(message: "rl_requester lacks \(name)") }
                return unsafeBitCast(pointer, to: T.self)
            }
            run = try symbol("bench_rl_run", Run.self)
            done = try symbol("bench_rl_done", Counter.self)
            allowed = try symbol("bench_rl_allowed", Counter.self)
            failed = try symbol("bench_rl_failed", Counter.self)
            latencies = try symbol("bench_rl_latencies", Latencies.self)
            ask = try symbol("bench_rl_ask", Ask.self)
            answer = try symbol("bench_rl_answer", Answer.self)
        }

        /// Runs `count` acquisitions with `window` in flight; returns the seconds taken and the
        /// latencies (sorted, ns) when `record` is set.
        func acquire(count: UInt64, keySpace: UInt64, offset: UInt64, window: UInt64, record: Bool) throws -> (seconds: Double, sorted: [UInt64]) {
            let start = monotonicNs()
            guard run(count, keySpace, offset, window, record ? 1 : 0) == 0 else { throw BenchError(message: "bench_rl_run failed") }
            while done() < count { usleep(200) }
            let seconds = Double(monotonicNs() - start) / 1e9
            if failed() > 0 { throw BenchError(message: "\(failed()) of \(count) ratelimit.acquire requests failed") }
            guard record, let pointer = latencies() else { return (seconds, []) }
            return (seconds, Array(UnsafeBufferPointer(start: pointer, count: Int(count))).sorted())
        }

        /// One request; its "<status> <payload>" answer.
        func request(_ topic: String, _ payload: String) throws -> String {
            guard ask(topic, payload) == 0 else { throw BenchError(message: "bench_rl_ask \(topic) failed") }
            for _ in 0..<50_000 {
                if let text = answer() { return String(cString: text) }
                usleep(100)
            }
            throw BenchError(message: "no answer on \(topic)")
        }
    }

    static func run(_ env: BenchEnvironment) async throws {
        let requesterPath = try env.compileC("Benchmarks/Plugins/rl_requester.c", name: "rl_requester")
        let directory = env.scratch.appendingPathComponent("ratelimit").path
        let (runtime, manager) = try env.makeRuntime(hostJSON: #"{"logLevel": "warning"}"#, directory: directory)
        // Keys stay tracked for an hour (1 per 3600 s, burst 1000): nothing expires during the run,
        // and the sweep is set beyond it so that it never pauses a measurement.
        let config = #"{"sweepInterval": 86400000, "limiters": {"bench": {"rate": 1, "perSeconds": 3600, "burst": 1000}}}"#
        let file = try PluginsFileLoader.parse(Array("""
            {"plugins": [{"name": "ratelimit", "library": "libRateLimit.so", "config": \(config)},
                         {"name": "rl_requester", "library": "\(requesterPath)"}]}
            """.utf8), file: "bench.json")
        let statuses = await manager.apply(file)
        guard statuses.allSatisfy({ $0.state == .running }) else { throw BenchError(message: "plugins did not start: \(statuses)") }
        let requester = try Requester(path: requesterPath)

        // Warm up, then round trips one at a time over 1 000 keys.
        _ = try requester.acquire(count: 20_000, keySpace: 1000, offset: 0, window: 1, record: false)
        let small = try requester.acquire(count: 100_000, keySpace: 1000, offset: 0, window: 1, record: true)
        let p50 = Double(percentile(small.sorted, 0.50)) / 1000, p99 = Double(percentile(small.sorted, 0.99)) / 1000
        report("ratelimit.acquire request→reply p99, 1 k keys", String(format: "%.1f µs", p99), target: "< 50 µs", met: p99 < 50)
        print(String(format: "       p50 %.1f µs, max %.1f µs over %d round trips, C plugin → ratelimit → C plugin",
                     p50, Double(small.sorted.last ?? 0) / 1000, small.sorted.count))
        let smallRate = try requester.acquire(count: 200_000, keySpace: 1000, offset: 0, window: 64, record: false)

        // One million distinct keys through the bus; the process's resident memory before and after.
        let before = residentKB()
        let fill = try requester.acquire(count: 1_000_000, keySpace: 1_000_000, offset: 1_000_000, window: 64, record: false)
        let after = residentKB()
        let stats = try requester.request("ratelimit.stats", "{}")
        let keys = stats.split(separator: ":").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        let growthMB = Double(after - before) / 1024
        report("RSS growth, 1 M keys acquired over the bus", String(format: "%.1f MB", growthMB), target: "< 200 MB",
               met: growthMB < 200 && keys >= 1_000_000)
        print(String(format: "       %d keys held (ratelimit.stats), %.0f B per key; filled at %.0f k req/s",
                     keys, Double(after - before) * 1024 / Double(max(1, keys - 1000)), 1e6 / fill.seconds / 1000))

        // The same check at 1 M keys as at 1 k: per-call cost, pipelined and one at a time.
        let large = try requester.acquire(count: 100_000, keySpace: 1_000_000, offset: 1_000_000, window: 1, record: true)
        let largeRate = try requester.acquire(count: 200_000, keySpace: 1_000_000, offset: 1_000_000, window: 64, record: false)
        let smallCall = smallRate.seconds / 200_000 * 1e9, largeCall = largeRate.seconds / 200_000 * 1e9
        let largeP99 = Double(percentile(large.sorted, 0.99)) / 1000
        report("acquire cost per call, 1 M vs 1 k keys", String(format: "%.2f×", largeCall / smallCall),
               target: "≈ 1× (O(1))", met: largeCall / smallCall < 1.5)
        print(String(format: "       pipelined (64 in flight): %.2f µs per call at 1 k keys, %.2f µs at 1 M keys", smallCall / 1000, largeCall / 1000))
        print(String(format: "       one at a time: p50 %.1f / p99 %.1f µs at 1 M keys (p50 %.1f / p99 %.1f µs at 1 k)",
                     Double(percentile(large.sorted, 0.50)) / 1000, largeP99, p50, p99))

        await manager.stopAll()
        await runtime.shutdown()
    }

    /// VmRSS of this process, in KiB.
    private static func residentKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
    }
}
