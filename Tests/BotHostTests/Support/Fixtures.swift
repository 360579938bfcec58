import BotHostTestSupport
import Foundation
import Synchronization
import Testing

/// Paths to the package, its built plugin libraries and the C test fixtures.
enum Fixtures {
    /// The package root, found from this file's location.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var headerDirectory: String { packageRoot.appendingPathComponent("Sources/PluginAPI/include").path }

    /// Where SwiftPM put the products of the current (debug) build.
    static var buildDirectory: String { packageRoot.appendingPathComponent(".build/debug").path }

    /// A plugin library built by SwiftPM, e.g. "libExampleCCounter.so", as a private copy.
    static func built(_ library: String) -> String { privateCopy(of: buildDirectory + "/" + library) }

    private static let copies = Atomic<Int>(0)

    /// A library's globals are shared by everyone who dlopens the same file, and tests run hosts in
    /// parallel in one process: each test therefore loads its own copy (its own image).
    static func privateCopy(of path: String) -> String {
        let n = copies.add(1, ordering: .relaxed).newValue
        let copy = scratch.appendingPathComponent("copy-\(n)-" + URL(fileURLWithPath: path).lastPathComponent).path
        do {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            return copy
        } catch {
            // Loading the shared original would let tests share a library's globals: say so.
            Issue.record("could not copy \(path) for this test: \(error)")
            return path
        }
    }

    private static let compiled = Mutex<[String: String]>([:])
    /// Unique per run (a reused pid must not find an earlier run's copies: the copy would then fail,
    /// and tests would share one image and its globals); removed when the run ends.
    private static let scratch = TestScratch.directory("fixtures")

    /// Compiles a C source with nothing but the ABI header — as a third party would — into a .so.
    static func compileC(_ source: String, name: String) throws -> String {
        // Tests run in parallel: compile each library once, and never hand out a half-written file.
        try compileLock.withLock { _ in
            if let done = compiled.withLock({ $0[name] }) { return done }
            let output = scratch.appendingPathComponent("lib\(name).so").path
            try run("/usr/bin/env", ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                                     "-I", headerDirectory, "-o", output, source])
            compiled.withLock { $0[name] = output }
            return output
        }
    }
    private static let compileLock = Mutex<Void>(())

    /// Compiles Tests/Fixtures/Plugins/<name>.c (once) and returns a private copy. `make test`
    /// compiles every fixture beforehand (scripts/build-test-fixtures.sh); that library is used when
    /// it is newer than its source and the header, so no test blocks the shared threads on cc.
    static func fixture(_ name: String) throws -> String {
        let source = packageRoot.appendingPathComponent("Tests/Fixtures/Plugins/\(name).c").path
        if let prebuilt = prebuilt(name, source: source) { return privateCopy(of: prebuilt) }
        return privateCopy(of: try compileC(source, name: name))
    }

    /// The probe fixture built under another name (and serving nothing), from
    /// scripts/build-test-fixtures.sh's variants, or compiled here when missing. `owning` is the
    /// name its descriptor declares in owned_names (the script's squatter and claimer variants).
    static func probe(named variant: String, owning: String? = nil) throws -> String {
        let source = packageRoot.appendingPathComponent("Tests/Fixtures/Plugins/probe.c").path
        let name = "probe-\(variant)"
        if let prebuilt = prebuilt(name, source: source) { return privateCopy(of: prebuilt) }
        return try compileLock.withLock { _ in
            let output = scratch.appendingPathComponent("lib\(name).so").path
            if !FileManager.default.fileExists(atPath: output) {
                let owns = owning.map { ["-DPROBE_OWNS=\"\($0)\""] } ?? []
                try run("/usr/bin/env", ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                                         "-DPROBE_NAME=\"\(variant)\"", "-DPROBE_SERVES=0"] + owns + ["-I", headerDirectory, "-o", output, source])
            }
            return privateCopy(of: output)
        }
    }

    /// The probe built as version 2.0.0, whose probe.echo answers "v2 <payload>": a replacement
    /// library that shows which build answers (scripts/build-test-fixtures.sh's probe-v2, or
    /// compiled here when missing).
    static func probeVersion2() throws -> String {
        let source = packageRoot.appendingPathComponent("Tests/Fixtures/Plugins/probe.c").path
        if let prebuilt = prebuilt("probe-v2", source: source) { return privateCopy(of: prebuilt) }
        return try compileLock.withLock { _ in
            let output = scratch.appendingPathComponent("libprobe-v2.so").path
            if !FileManager.default.fileExists(atPath: output) {
                try run("/usr/bin/env", ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                                         "-DPROBE_VERSION=\"2.0.0\"", "-DPROBE_ECHO_PREFIX=\"v2 \"",
                                         "-I", headerDirectory, "-o", output, source])
            }
            return privateCopy(of: output)
        }
    }

    /// An example plugin that scripts/build-test-fixtures.sh builds with another language's
    /// compiler (the C++ and Rust examples): its library, built by that script when missing or
    /// stale (`sources`: what its rule there depends on). Without `compiler` the test fails saying
    /// what to install — never a silent skip.
    static func example(_ name: String, compiler: String, package: String, sources: [String]) async throws -> String {
        let path = packageRoot.appendingPathComponent(".build/test-fixtures/lib\(name).so").path
        // Exactly the files the script's rule for it depends on.
        let inputs = sources.map { packageRoot.appendingPathComponent($0).path }
        if isNewer(path, than: inputs) { return privateCopy(of: path) }
        guard (try? execute("/usr/bin/env", ["sh", "-c", "command -v \(compiler)"]).status) == 0 else {
            throw CommandFailed(description: "\(compiler) is not installed, so the \(name) example cannot be built: install Debian's "
                                + "\(package) (apt-get install \(package)); scripts/install-deps.sh, which make test runs, does")
        }
        let script = packageRoot.appendingPathComponent("scripts/build-test-fixtures.sh").path
        try await offPool { try scriptLock.withLock { _ in try run(script, []) } }
        guard isNewer(path, than: inputs) else {
            throw CommandFailed(description: "scripts/build-test-fixtures.sh did not build \(path)")
        }
        return privateCopy(of: path)
    }
    private static let scriptLock = Mutex<Void>(())

    /// Runs blocking work (a compiler, a child process) on a thread of its own, so that the
    /// cooperative threads every async test shares stay free while it waits.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    private static func isNewer(_ file: String, than inputs: [String]) -> Bool {
        func modified(_ file: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
        }
        guard let built = modified(file) else { return false }
        return inputs.allSatisfy { input in modified(input).map { built > $0 } ?? false }
    }

    /// .build/test-fixtures/lib<name>.so when it is newer than `source`, the ABI header and the
    /// fixtures' shared header.
    private static func prebuilt(_ name: String, source: String) -> String? {
        let path = packageRoot.appendingPathComponent(".build/test-fixtures/lib\(name).so").path
        let inputs = [source, headerDirectory + "/bothost_plugin.h", supportHeader]
        return isNewer(path, than: inputs) ? path : nil
    }

    /// What every fixture in Tests/Fixtures/Plugins includes (beside them, so no `-I` is needed).
    private static var supportHeader: String {
        packageRoot.appendingPathComponent("Tests/Fixtures/Plugins/fixture_support.h").path
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory(_ label: String = "test") -> URL {
        TestScratch.directory(label)
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a program to completion; returns its exit status and combined output.
    static func execute(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a program that must succeed.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let (status, output) = try execute(executable, arguments)
        guard status == 0 else {
            throw CommandFailed(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(output)")
        }
        return output
    }
}

/// A trace file that a fixture plugin appends lines to.
struct TraceFile {
    let path: String

    init(in directory: URL, _ name: String = "trace.txt") {
        path = directory.appendingPathComponent(name).path
    }

    var lines: [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}

/// Polls `condition` until it holds or `timeout` passes. Tests use it to wait for asynchronous
/// effects; they assert the condition, never the time it took. The timeout only bounds a failing
/// test, so it is generous: a loaded machine running the suite on one core is slow, not wrong.
/// It also polls a minimum number of times, so that a stall of the whole process (every thread
/// descheduled, or the task pool blocked) does not use up the time while nothing could happen.
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    try await eventuallyValue(timeout: timeout) { try await condition() ? true : nil } ?? false
}

/// Polls `produce` until it gives a value or `timeout` passes, as `eventually` does; nil if it
/// never did.
func eventuallyValue<Value>(timeout: Duration = .seconds(60), _ produce: () async throws -> Value?) async rethrows -> Value? {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    let minimumPolls = 200
    var polls = 0
    while clock.now < deadline || polls < minimumPolls {
        if let value = try await produce() { return value }
        polls += 1
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await produce()
}
