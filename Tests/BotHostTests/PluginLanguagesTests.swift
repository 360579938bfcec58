@testable import BotHost
import Foundation
import Testing

/// Every language the README names has an example plugin that is built, loaded and made to do one
/// real thing: C (Plugins/Examples/CCounter), C++ (CppEcho, over bothost_plugin.hpp), Swift
/// (SwiftGreeter, over PluginKit) and Rust (RustCounter, hand-written declarations, no crates).
/// The C and Swift examples are SwiftPM products; the C++ and Rust ones are built by
/// scripts/build-test-fixtures.sh with c++ and rustc, and their tests fail, naming the package to
/// install, where that compiler is missing.
@Suite struct PluginLanguagesTests {
    private static let cppSources = ["Plugins/Examples/CppEcho/echo.cpp", "Sources/PluginAPI/cpp/bothost_plugin.hpp",
                                     "Sources/PluginAPI/include/bothost_plugin.h"]

    @Test func theCExampleAnswersItsSlashCommandWithTheCountItWasSentOnTheBus() async throws {
        let host = try TestHost()
        try await host.apply(plugins: #"[{"name": "counter", "library": \#(jsonString(Fixtures.built("libExampleCCounter.so"))), "config": {"tickMs": 3600000}}]"#)
        #expect(await eventually { host.events("counter.started").count == 1 })
        try host.publish("counter.add", "41")
        let responder = try host.invoke("/count add:1")
        #expect(await eventually { responder.responses.count == 1 })
        #expect(responder.responses.first?.messageText.contains("Count: 42") == true, "\(responder.responses)")
        await host.shutdown()
    }

    @Test func theCppExampleEchoesTheBusAndAnswersItsCommand() async throws {
        let library = try await Fixtures.example("cppecho", compiler: "c++", package: "g++",
                                                 sources: Self.cppSources)
        let host = try TestHost()
        let statuses = try await host.apply(plugins: #"[{"name": "cppecho", "library": \#(jsonString(library)), "config": {"prefix": "C++ says: "}}]"#)
        #expect(statuses.first?.state == .running, "\(statuses)")
        try host.publish("cppecho.in", "hello")
        #expect(await eventually { host.events("cppecho.out") == ["C++ says: hello"] })

        let responder = try host.invoke(#"/cppecho text:"two words""#)
        #expect(await eventually { responder.responses.count == 1 })
        #expect(responder.responses.first?.messageText.contains("C++ says: two words") == true, "\(responder.responses)")
        await host.shutdown()
    }

    @Test func aCppExampleWithABadConfigIsRefusedWithItsExceptionsMessage() async throws {
        let library = try await Fixtures.example("cppecho", compiler: "c++", package: "g++",
                                                 sources: Self.cppSources)
        let host = try TestHost()
        let statuses = try await host.apply(plugins: #"[{"name": "cppecho", "library": \#(jsonString(library)), "config": {"prefix": 7}}]"#)
        guard case .refused(let refusal) = statuses.first?.state else {
            Issue.record("a prefix that is not a string should refuse the plugin: \(statuses)")
            await host.shutdown()
            return
        }
        #expect(refusal.cause.contains(#""prefix" must be a string"#), "\(refusal)")
        await host.shutdown()
    }

    @Test func theSwiftExampleAnswersItsSlashCommand() async throws {
        let host = try TestHost()
        try await host.apply(plugins: #"[{"name": "greeter", "library": \#(jsonString(Fixtures.built("libExampleSwiftGreeter.so"))), "config": {"greeting": "Hi"}}]"#)
        #expect(await host.status("greeter")?.state == .running)
        let responder = try host.invoke("/greet name:Ada")
        #expect(await eventually { responder.responses.count == 1 })
        #expect(responder.responses.first?.messageText.contains("Hi, Ada!") == true, "\(responder.responses)")
        await host.shutdown()
    }

    @Test func theRustExampleAddsWhatItIsSentOnTheBus() async throws {
        let library = try await Fixtures.example("rustcounter", compiler: "rustc", package: "rustc",
                                                 sources: ["Plugins/Examples/RustCounter/lib.rs"])
        let host = try TestHost()
        let statuses = try await host.apply(plugins: #"[{"name": "rustcounter", "library": \#(jsonString(library))}]"#)
        #expect(statuses.first?.state == .running, "\(statuses)")
        for delta in ["5", " 10\n", "not a number", "-3"] { try host.publish("rustcounter.add", delta) }
        // The ignored payload publishes nothing; the others publish the running total in order.
        #expect(await eventually { host.events("rustcounter.total") == ["5", "15", "12"] }, "\(host.events("rustcounter.total"))")
        await host.shutdown()
    }
}
