import BotHost
import Foundation

/// The RateLimit plugin: `ratelimit.acquire` from another plugin's request to its reply, timed in C
/// (Benchmarks/Plugins/rl_requester.c), next to the same round trip to a C server that does no work
/// (rl_echo.c: the host's own floor); and the memory one million tracked keys take.
enum RateLimitBench {
    static let acquire = "ratelimit.acquire"
    static let echo = "rl_echo.acquire"

    static func run(_ env: BenchEnvironment) async throws {
        let requesterPath = try env.compileC("Benchmarks/Plugins/rl_requester.c", name: "rl_requester")
        let echoPath = try env.compileC("Benchmarks/Plugins/rl_echo.c", name: "rl_echo")
        let directory = env.scratch.appendingPathComponent("ratelimit").path
        let (runtime, manager) = try env.makeRuntime(hostJSON: #"{"logLevel": "warning"}"#, directory: directory)
        // Keys stay tracked for an hour (1 per 3600 s, burst 1000), so nothing expires during the
        // run, and the sweep is set beyond it so that it never pauses a measurement.
        let config = #"{"sweepInterval": 86400000, "limiters": {"bench": {"rate": 1, "perSeconds": 3600, "burst": 1000}}}"#
        let file = try PluginsFileLoader.parse(Array("""
            {"plugins": [{"name": "ratelimit", "library": "libRateLimit.so", "config": \(config)},
                         {"name": "rl_echo", "library": "\(echoPath)"},
                         {"name": "rl_requester", "library": "\(requesterPath)"}]}
            """.utf8), file: "bench.json")
        let statuses = await manager.apply(file)
        guard statuses.allSatisfy({ $0.state == .running }) else { throw BenchError(message: "plugins did not start: \(statuses)") }
        let requester = try RateLimitRequester(path: requesterPath)

        // 1. Round trips one at a time over 1 000 keys, after a warm-up; the host's floor beside them.
        _ = try requester.acquire(acquire, count: 20_000, keySpace: 1000, offset: 0, window: 1, record: false)
        _ = try requester.acquire(echo, count: 20_000, keySpace: 1000, offset: 0, window: 1, record: false)
        let floor = try requester.acquire(echo, count: 100_000, keySpace: 1000, offset: 0, window: 1, record: true)
        let small = try requester.acquire(acquire, count: 100_000, keySpace: 1000, offset: 0, window: 1, record: true)
        report("ratelimit.acquire request→reply p99, 1 k keys", String(format: "%.1f µs", micro(small.sorted, 0.99)),
               target: "< 50 µs", met: micro(small.sorted, 0.99) < 50)
        print(String(format: "       p50 %.1f µs, max %.1f µs over %d round trips, C plugin → ratelimit → C plugin",
                     micro(small.sorted, 0.50), micro(small.sorted, 1), small.sorted.count))
        print(String(format: "       host floor (C server doing nothing): p50 %.1f µs, p99 %.1f µs; ratelimit adds %.1f / %.1f µs",
                     micro(floor.sorted, 0.50), micro(floor.sorted, 0.99),
                     micro(small.sorted, 0.50) - micro(floor.sorted, 0.50), micro(small.sorted, 0.99) - micro(floor.sorted, 0.99)))
        let smallRate = try requester.acquire(acquire, count: 200_000, keySpace: 1000, offset: 0, window: 64, record: false)

        // 2. Memory: 1 M requests over the same 1 000 keys, then 1 M over 1 M new keys. The same
        // load with and without new keys: the difference is what the keys hold.
        let start = residentKB()
        _ = try requester.acquire(acquire, count: 1_000_000, keySpace: 1000, offset: 0, window: 64, record: false)
        let loaded = residentKB()
        let fill = try requester.acquire(acquire, count: 1_000_000, keySpace: 1_000_000, offset: 1_000_000, window: 64, record: false)
        let filled = residentKB()
        let keys = try requester.statsKeys()
        let keysMB = Double(filled - 2 * loaded + start) / 1024  // (filled − loaded) − (loaded − start)
        report("RSS held by 1 M limiter keys", String(format: "%.1f MB", keysMB), target: "< 200 MB",
               met: keysMB < 200 && keys >= 1_000_000)
        print(String(format: "       %d keys tracked (ratelimit.stats), %.0f B per key; filled at %.0f k req/s",
                     keys, keysMB * 1_048_576 / 1e6, 1e6 / fill.seconds / 1000))
        print(String(format: "       RSS growth over those 1 M requests %.1f MB, of which %.1f MB also came with 1 M requests on old keys",
                     Double(filled - loaded) / 1024, Double(loaded - start) / 1024))

        // 3. The same check with 1 M keys as with 1 k: one at a time, and pipelined (64 in flight).
        let large = try requester.acquire(acquire, count: 100_000, keySpace: 1_000_000, offset: 1_000_000, window: 1, record: true)
        let largeRate = try requester.acquire(acquire, count: 200_000, keySpace: 1_000_000, offset: 1_000_000, window: 64, record: false)
        let ratio = micro(large.sorted, 0.50) / micro(small.sorted, 0.50)
        report("acquire p50 at 1 M keys ÷ at 1 k keys", String(format: "%.2f×", ratio), target: "≈ 1× (O(1))", met: ratio < 1.5)
        print(String(format: "       one at a time: p50 %.1f µs, p99 %.1f µs at 1 M keys", micro(large.sorted, 0.50), micro(large.sorted, 0.99)))
        print(String(format: "       pipelined: %.1f µs per call at 1 k keys, %.1f µs at 1 M keys",
                     smallRate.seconds / 200_000 * 1e6, largeRate.seconds / 200_000 * 1e6))

        await manager.stopAll()
        await runtime.shutdown()
    }

    /// A percentile of sorted nanoseconds, in µs (p 1 is the maximum).
    private static func micro(_ sorted: [UInt64], _ p: Double) -> Double {
        Double(percentile(sorted, p)) / 1000
    }

    /// VmRSS of this process, in KiB.
    private static func residentKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
    }
}

/// The back door of rl_requester.c.
struct RateLimitRequester {
    typealias Run = @convention(c) (UnsafePointer<CChar>?, UInt64, UInt64, UInt64, UInt64, Int32) -> Int32
    typealias Counter = @convention(c) () -> UInt64
    typealias Latencies = @convention(c) () -> UnsafePointer<UInt64>?
    typealias Ask = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias Answer = @convention(c) () -> UnsafePointer<CChar>?

    let run: Run, done: Counter, failed: Counter, latencies: Latencies, ask: Ask, answer: Answer

    init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { throw BenchError(message: "cannot dlopen \(path)") }
        func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else { throw BenchError(message: "rl_requester lacks \(name)") }
            return unsafeBitCast(pointer, to: T.self)
        }
        run = try symbol("bench_rl_run", Run.self)
        done = try symbol("bench_rl_done", Counter.self)
        failed = try symbol("bench_rl_failed", Counter.self)
        latencies = try symbol("bench_rl_latencies", Latencies.self)
        ask = try symbol("bench_rl_ask", Ask.self)
        answer = try symbol("bench_rl_answer", Answer.self)
    }

    /// `count` requests on `topic` with `window` in flight: the seconds taken and, when `record`
    /// is set, the round-trip times in ns, sorted.
    func acquire(_ topic: String, count: UInt64, keySpace: UInt64, offset: UInt64, window: UInt64,
                 record: Bool) throws -> (seconds: Double, sorted: [UInt64]) {
        let start = monotonicNs()
        guard run(topic, count, keySpace, offset, window, record ? 1 : 0) == 0 else { throw BenchError(message: "bench_rl_run failed") }
        while done() < count { usleep(200) }
        let seconds = Double(monotonicNs() - start) / 1e9
        if failed() > 0 { throw BenchError(message: "\(failed()) of \(count) requests on \(topic) failed") }
        guard record, let pointer = latencies() else { return (seconds, []) }
        return (seconds, Array(UnsafeBufferPointer(start: pointer, count: Int(count))).sorted())
    }

    /// The `limiterKeys` figure of `ratelimit.stats`.
    func statsKeys() throws -> Int {
        guard ask("ratelimit.stats", "{}") == 0 else { throw BenchError(message: "ratelimit.stats could not be sent") }
        for _ in 0..<50_000 {
            if let text = answer() {
                // "<status> {"limiterKeys":N,"voiceUsers":M}"
                let answer = String(cString: text)
                guard answer.hasPrefix("0 "), let range = answer.range(of: #""limiterKeys":"#) else {
                    throw BenchError(message: "ratelimit.stats answered \(answer)")
                }
                return Int(answer[range.upperBound...].prefix { $0.isNumber }) ?? 0
            }
            usleep(100)
        }
        throw BenchError(message: "ratelimit.stats did not answer")
    }
}
