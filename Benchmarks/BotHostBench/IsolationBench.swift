import BotHost
import Foundation
import Synchronization

/// Plugins in a process of their own (`"isolation": "process"`): what crossing the socket costs on
/// the bus paths, each figure beside the same plugin measured the same way in the host's process,
/// and how long a crashed plugin takes to answer again.
///
/// The plugins are the other groups' C plugins: sink.c (it reports its counts and latencies back
/// over the bus, since its memory is in another process), rl_echo.c served to rl_requester.c (the
/// requester stays in the host's process: its back door reads memory there), and crashable.c.
enum IsolationBench {
    static func run(_ env: BenchEnvironment) async throws {
        guard let executable = PluginProcess.executablePath() else {
            throw BenchError(message: "isolated plugins need the bothost executable beside BotHostBench (swift build -c release --product bothost) or in $BOTHOST_BIN")
        }
        // Names of their own: other groups load these sources too, and a loaded path is never reloaded.
        let sink = try env.compileC("Benchmarks/Plugins/sink.c", name: "iso_sink")
        let echo = try env.compileC("Benchmarks/Plugins/rl_echo.c", name: "iso_rl_echo")
        let requesterPath = try env.compileC("Benchmarks/Plugins/rl_requester.c", name: "iso_rl_requester")
        let crashable = try env.compileC("Benchmarks/Plugins/crashable.c", name: "iso_crashable")
        let directory = env.scratch.appendingPathComponent("isolation").path
        let (runtime, manager) = try env.makeRuntime(
            hostJSON: #"{"busQueueCapacity": 4194304, "busQueueCapacityBytes": 1073741824, "logLevel": "warning"}"#, directory: directory)
        let reports = try BusInbox(runtime.bus, pattern: "sink.report")
        // The tails below follow the machine's load closely (every crossing is a thread wake-up).
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("isolation: plugins in their own process (\(executable) plugin-host); load average \(load)")

        var measured: [Placement: BusFigures] = [:]
        var requester: RateLimitRequester? = nil
        for placement in [Placement.inProcess, .process] {
            let isolation = placement == .process ? #""isolation": "process""# : #""isolation": "in-process""#
            try await apply(manager, """
                [{"name": "sink", "library": "\(sink)", \(isolation)},
                 {"name": "rl_echo", "library": "\(echo)", \(isolation)},
                 {"name": "rl_requester", "library": "\(requesterPath)"}]
                """)
            if requester == nil { requester = try RateLimitRequester(path: requesterPath) }
            guard let requester else { break }
            let sinkProcess = await manager.statuses().first { $0.name == "sink" }?.processID
            measured[placement] = try measureBus(runtime.bus, reports: reports, requester: requester, sinkProcess: sinkProcess)
        }
        guard let local = measured[.inProcess], let isolated = measured[.process] else { return }

        report("bus → isolated C callback, 1 subscriber, 100 B", String(format: "%.0f k ev/s", isolated.rate / 1e3),
               target: "≥ 200 k ev/s", met: isolated.rate >= 200e3)
        print(String(format: "       best of 3 runs of %d events (%@); in the host's process, the same way: %.2f M ev/s",
                     BusFigures.events, isolated.rates.map { String(format: "%.0f k", $0 / 1e3) }.joined(separator: ", "), local.rate / 1e6))
        print(String(format: "       CPU per delivery over those runs: %.2f µs in the host + %.2f µs in the plugin's process; in the host's process %.2f µs",
                     isolated.hostCPUPerEvent * 1e6, isolated.childCPUPerEvent * 1e6, local.hostCPUPerEvent * 1e6))
        report("isolated delivery latency p99 at 20 k ev/s", String(format: "%.1f µs", micro(isolated.latency, 0.99)),
               target: "< 1 ms", met: micro(isolated.latency, 0.99) < 1000 && isolated.latency.count == BusFigures.paced)
        print(String(format: "       p50 %.1f µs, max %.1f µs, %d of %d delivered; in the host's process: p50 %.1f µs, p99 %.1f µs, max %.1f µs",
                     micro(isolated.latency, 0.5), micro(isolated.latency, 1), isolated.latency.count, BusFigures.paced,
                     micro(local.latency, 0.5), micro(local.latency, 0.99), micro(local.latency, 1)))
        print(String(format: "       CPU per event at this rate: %.1f µs in the host + %.1f µs in the plugin's process (4 thread wake-ups); in the host's process %.1f µs",
                     isolated.pacedHostCPUPerEvent * 1e6, isolated.pacedChildCPUPerEvent * 1e6, local.pacedHostCPUPerEvent * 1e6))
        report("request → isolated server → reply p99", String(format: "%.1f µs", micro(isolated.roundTrip, 0.99)),
               target: "< 200 µs", met: micro(isolated.roundTrip, 0.99) < 200)
        print(String(format: "       p50 %.1f µs, max %.1f µs over %d sequential round trips, requester in the host's process; server in it too: p50 %.1f µs, p99 %.1f µs",
                     micro(isolated.roundTrip, 0.5), micro(isolated.roundTrip, 1), isolated.roundTrip.count,
                     micro(local.roundTrip, 0.5), micro(local.roundTrip, 0.99)))

        if let requester { try await measureRestart(runtime, manager, crashable: crashable, requesterPath: requesterPath, requester: requester) }
        runtime.bus.untap(reports.token)
        await manager.stopAll()
        await runtime.shutdown()
    }

    enum Placement: Hashable { case inProcess, process }

    /// One placement's bus figures; latencies in ns, sorted.
    struct BusFigures {
        static let events = 500_000
        static let paced = 20_000
        static let roundTrips: UInt64 = 20_000
        var rates: [Double]
        /// CPU seconds per event during the throughput runs: this process (publisher and host) and the plugin's.
        var hostCPUPerEvent: Double
        var childCPUPerEvent: Double
        var latency: [UInt64]
        /// The same during the paced second, where each event crosses alone (no batching).
        var pacedHostCPUPerEvent: Double
        var pacedChildCPUPerEvent: Double
        var roundTrip: [UInt64]
        var rate: Double { rates.max() ?? 0 }
    }

    private static func apply(_ manager: PluginManager, _ plugins: String) async throws {
        let file = try PluginsFileLoader.parse(Array(#"{"plugins": \#(plugins)}"#.utf8), file: "bench.json")
        let statuses = await manager.apply(file)
        guard statuses.allSatisfy({ $0.state == .running }) else { throw BenchError(message: "plugins did not start: \(statuses)") }
    }

    private static func measureBus(_ bus: MessageBus, reports: BusInbox, requester: RateLimitRequester, sinkProcess: Int32?) throws -> BusFigures {
        // 1. Throughput: publish N events, then ask for a report; the sink answers once every event
        // before the request has reached its callback, so the time to the report covers them all.
        let payload = [UInt8](repeating: 0x61, count: 100)
        var counted = try sinkReport(bus, reports).delivered
        var rates: [Double] = []
        let hostCPU = HostProcess.cpuSeconds(pid: getpid()), childCPU = sinkProcess.map { HostProcess.cpuSeconds(pid: $0) } ?? 0
        for _ in 0..<3 {
            let start = monotonicNs()
            var dropped = 0
            for _ in 0..<BusFigures.events { dropped += bus.publish(topic: "bench.event", payload: payload).dropped }
            let delivered = try sinkReport(bus, reports).delivered
            let seconds = Double(monotonicNs() - start) / 1e9
            guard delivered - counted == UInt64(BusFigures.events - dropped) else {
                throw BenchError(message: "the sink counted \(delivered - counted) deliveries of \(BusFigures.events - dropped)")
            }
            counted = delivered
            rates.append(Double(BusFigures.events - dropped) / seconds)
            if dropped > 0 { print("      (\(dropped) dropped on a full queue)") }
        }
        let events = Double(3 * BusFigures.events)
        let hostCPUPerEvent = (HostProcess.cpuSeconds(pid: getpid()) - hostCPU) / events
        let childCPUPerEvent = ((sinkProcess.map { HostProcess.cpuSeconds(pid: $0) } ?? 0) - childCPU) / events

        // 2. Latency at a steady 20 k events/s for one second: the payload carries its publish time,
        // the sink subtracts it from CLOCK_MONOTONIC (system-wide, so the same clock in both processes).
        // The publisher sleeps until each event is due rather than spinning: a spinning publisher
        // would hold one of the cores the host and the plugin's process need.
        var capacity = UInt64(BusFigures.paced).littleEndian
        bus.publish(topic: "sink.ctl.record", payload: withUnsafeBytes(of: &capacity) { Array($0) })
        var stamped = [UInt8](repeating: 0, count: 100)
        let pacedHostCPU = HostProcess.cpuSeconds(pid: getpid()), pacedChildCPU = sinkProcess.map { HostProcess.cpuSeconds(pid: $0) } ?? 0
        let begin = monotonicNs()
        for i in 0..<BusFigures.paced {
            let due = begin + UInt64(i) * 50_000
            var wake = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nil) == EINTR {}
            var now = monotonicNs()
            withUnsafeBytes(of: &now) { stamped.replaceSubrange(0..<8, with: $0) }
            bus.publish(topic: "bench.latency", payload: stamped)
        }
        let latency = try sinkReport(bus, reports).latencies.sorted()
        let pacedHostCPUPerEvent = (HostProcess.cpuSeconds(pid: getpid()) - pacedHostCPU) / Double(BusFigures.paced)
        let pacedChildCPUPerEvent = ((sinkProcess.map { HostProcess.cpuSeconds(pid: $0) } ?? 0) - pacedChildCPU) / Double(BusFigures.paced)
        var off = UInt64(0)
        bus.publish(topic: "sink.ctl.record", payload: withUnsafeBytes(of: &off) { Array($0) })

        // 3. Sequential request/reply round trips, timed in the requester (C), after a warm-up.
        _ = try requester.acquire(RateLimitBench.echo, count: 2_000, keySpace: 1, offset: 0, window: 1, record: false)
        let roundTrip = try requester.acquire(RateLimitBench.echo, count: BusFigures.roundTrips, keySpace: 1, offset: 0, window: 1, record: true).sorted
        return BusFigures(rates: rates, hostCPUPerEvent: hostCPUPerEvent, childCPUPerEvent: childCPUPerEvent, latency: latency,
                          pacedHostCPUPerEvent: pacedHostCPUPerEvent, pacedChildCPUPerEvent: pacedChildCPUPerEvent, roundTrip: roundTrip)
    }

    /// Asks the sink for its figures and waits for them.
    private static func sinkReport(_ bus: MessageBus, _ reports: BusInbox) throws -> (delivered: UInt64, latencies: [UInt64]) {
        bus.publish(topic: "sink.ctl.report", payload: [])
        let words = try reports.next(timeoutSeconds: 120).withUnsafeBytes { raw in
            (0..<raw.count / 8).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
        guard words.count >= 2, words.count == 2 + Int(words[1]) else { throw BenchError(message: "the sink's report has \(words.count) words") }
        return (words[0], Array(words[2...]))
    }

    /// 4. A crash and the restart: the time from publishing the message that makes the plugin
    /// dereference NULL until a request it serves is answered again, by a fresh process.
    private static func measureRestart(_ runtime: HostRuntime, _ manager: PluginManager, crashable: String, requesterPath: String,
                                       requester: RateLimitRequester) async throws {
        // Every round's crash counts within the restart window: no backoff, and room for them all,
        // so each round shows the immediate restart the first crash after a quiet period gets.
        try await apply(manager, """
            [{"name": "crashable", "library": "\(crashable)", "isolation": "process", "restart": {"maxCrashes": 100, "maxBackoffMs": 0}},
             {"name": "rl_requester", "library": "\(requesterPath)"}]
            """)
        let crashes = try BusInbox(runtime.bus, pattern: HostEvent.PluginCrashed.topic)
        defer { runtime.bus.untap(crashes.token) }
        var total: [Double] = [], noticed: [Double] = [], restarted: [Double] = []
        let rounds = 10
        for _ in 0..<rounds {
            let before = await processID(manager, "crashable")
            guard try ping(requester, until: monotonicNs() + 10_000_000_000) != nil, let before else {
                throw BenchError(message: "crashable does not answer before its crash")
            }
            let start = monotonicNs()
            runtime.bus.publish(topic: "crashable.crash", payload: [])
            // Probing starts once the host has seen the process die: an answer after that can only
            // come from the new one.
            _ = try crashes.next(timeoutSeconds: 10)
            let died = monotonicNs()
            guard let answered = try ping(requester, until: start + 10_000_000_000) else {
                throw BenchError(message: "crashable did not answer within 10 s of its crash")
            }
            let after = await processID(manager, "crashable")
            guard let after, after != before else { throw BenchError(message: "crashable answered from process \(after ?? 0), not a new one") }
            total.append(Double(answered - start) / 1e6)
            noticed.append(Double(died - start) / 1e6)
            restarted.append(Double(answered - died) / 1e6)
        }
        let sorted = total.sorted()
        let median = (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2
        let worst = sorted.last ?? 0
        report("crash → isolated plugin answers again", String(format: "%.1f ms median", median),
               target: "< 500 ms", met: median < 500 && worst < 500)
        print(String(format: "       worst %.1f ms of %d crashes (SIGSEGV in a bus callback; restart.maxBackoffMs 0, maxCrashes 100)", worst, rounds))
        print(String(format: "       medians: the host had seen the death and stopped the plugin %.1f ms after the trigger, and a new process answered %.1f ms after that",
                     noticed.sorted()[rounds / 2], restarted.sorted()[rounds / 2]))
        print("       (spawn of bothost plugin-host, load, init, start); probes every 1 ms, each a bus request from a plugin in the host's process")
    }

    private static func processID(_ manager: PluginManager, _ name: String) async -> Int32? {
        await manager.statuses().first { $0.name == name && $0.state == .running }?.processID
    }

    /// Sends crashable.ping until it is answered (nil if not by `deadline`): when it was answered.
    /// A failed attempt (nobody serves the topic while the plugin restarts) is retried 1 ms later.
    private static func ping(_ requester: RateLimitRequester, until deadline: UInt64) throws -> UInt64? {
        while monotonicNs() < deadline {
            guard requester.ask("crashable.ping", "") == 0 else { throw BenchError(message: "crashable.ping could not be sent") }
            var answer: String? = nil
            while answer == nil && monotonicNs() < deadline {
                answer = requester.answer().map { String(cString: $0) }
                if answer == nil { usleep(50) }
            }
            if answer == "0 pong" { return monotonicNs() }
            usleep(1000)
        }
        return nil
    }

    /// A percentile of sorted nanoseconds, in µs (p 1 is the maximum).
    private static func micro(_ sorted: [UInt64], _ p: Double) -> Double {
        Double(percentile(sorted, p)) / 1000
    }
}

/// Messages on a topic pattern, collected by a host tap for the bench to wait on.
final class BusInbox: Sendable {
    private final class Received: Sendable {
        let messages = Mutex<[[UInt8]]>([])
    }
    let token: UInt64
    private let received = Received()

    init(_ bus: MessageBus, pattern: String) throws {
        let received = self.received
        token = try bus.tap(pattern) { _, payload in received.messages.withLock { $0.append(payload) } }
    }

    /// The oldest message not taken yet, waiting for one if need be.
    func next(timeoutSeconds: Double) throws -> [UInt8] {
        let deadline = monotonicNs() + UInt64(timeoutSeconds * 1e9)
        while monotonicNs() < deadline {
            if let message = received.messages.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return message }
            usleep(50)
        }
        throw BenchError(message: "no message within \(timeoutSeconds) s")
    }
}
