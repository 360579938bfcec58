import BotHost
import Foundation

/// Loading a plugin: dlopen + ABI check + init + start, each from a fresh copy of the file so
/// that every load is a real dlopen (the loader never dlcloses, so a path loads once per process).
enum LoadBench {
    static func run(_ env: BenchEnvironment) async throws {
        let directory = env.scratch.appendingPathComponent("load").path
        let (runtime, manager) = try env.makeRuntime(hostJSON: #"{"logLevel": "warning"}"#, directory: directory)
        for (library, name, config) in [("libExampleCCounter.so", "counter", #"{"tickMs": 3600000}"#),
                                        ("libExampleSwiftGreeter.so", "greeter", "{}")] {
            var timings: [Double] = []
            for i in 0..<20 {
                let copy = env.scratch.appendingPathComponent("load-\(name)-\(i).so").path
                try FileManager.default.copyItem(atPath: env.releaseDirectory + "/" + library, toPath: copy)
                let file = try PluginsFileLoader.parse(Array(#"{"plugins": [{"name": "\#(name)", "library": "\#(copy)", "config": \#(config)}]}"#.utf8), file: "bench.json")
                let start = monotonicNs()
                guard case .success = await manager.start(file.plugins[0]) else { throw BenchError(message: "\(name) refused") }
                timings.append(Double(monotonicNs() - start) / 1e6)
                await manager.stop(name, reason: "bench")
            }
            let sorted = timings.sorted()
            let median = sorted[sorted.count / 2]
            report("load \(name) (\(library.hasSuffix("Counter.so") ? "C" : "Swift")): dlopen+check+init+start", String(format: "%.2f ms", median),
                   target: "< 5 ms", met: median < 5)
            print(String(format: "       median of 20 fresh loads; min %.2f ms, max %.2f ms", sorted.first ?? 0, sorted.last ?? 0))
        }
        await manager.stopAll()
        await runtime.shutdown()
    }
}
