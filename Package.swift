// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "BotHost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bothost", targets: ["BotHostCLI"]),
        .library(name: "BotHost", targets: ["BotHost"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        // The local Discord (gateway, REST, interactions, voice with DAVE) as a library, for plugin
        // authors' own tests: start one, point a host at it, drive users and read what the bot did.
        .library(name: "DiscordEmulator", targets: ["DiscordEmulator"]),
        // Ogg Opus and WAV reading/writing, pure Swift, for the host and for plugins.
        .library(name: "AudioFiles", targets: ["AudioFiles"]),
        // The strict JSON field reader the shipped plugins read their configs and requests with.
        .library(name: "StrictJSON", targets: ["StrictJSON"]),
        // The host's JSON reader and writer (JSONValue: parse, edit, write back in order).
        .library(name: "BotHostJSON", targets: ["BotHostJSON"]),
        // MLS (RFC 9420), the subset Discord's voice end-to-end encryption (DAVE) uses.
        .library(name: "MLS", targets: ["MLS"]),
        // DAVE, Discord's voice end-to-end encryption: media keys and frames, gateway messages, the member's state machine.
        .library(name: "DAVE", targets: ["DAVE"]),
        // GameSessions' feed readers and rendering, for the fuzz targets (Fuzz/Package.swift).
        .library(name: "GameSessionsCore", targets: ["GameSessionsCore"]),
        // Every plugin is its own shared library, loaded by the host with dlopen.
        .library(name: "ExampleCCounter", type: .dynamic, targets: ["ExampleCCounter"]),
        .library(name: "ExampleSwiftGreeter", type: .dynamic, targets: ["ExampleSwiftGreeter"]),
        .library(name: "RateLimit", type: .dynamic, targets: ["RateLimit"]),
        .library(name: "GameSessions", type: .dynamic, targets: ["GameSessions"]),
        .library(name: "VoiceSessions", type: .dynamic, targets: ["VoiceSessions"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // System zlib (Debian's zlib1g-dev): zlib-stream gateway compression.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Debian's libopus-dev and libsodium-dev: the voice codec and transport encryption.
        .systemLibrary(name: "COpus", path: "Sources/COpus"),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium"),
        // The ABI: one C header, the only thing plugins and host share.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),
        // prctl and close_range for an isolated plugin's process (C variadics Swift cannot call).
        .target(name: "CProcessControl", path: "Sources/CProcessControl"),
        // Swift SDK over the ABI for Swift plugin authors.
        .target(name: "PluginKit", dependencies: ["PluginAPI"], path: "Sources/PluginKit"),
        // Audio file formats (Ogg Opus, WAV); no dependencies so plugins can link it.
        .target(name: "AudioFiles", path: "Sources/AudioFiles"),
        // Strict JSON field reading for plugin configs and bus requests (errors name the field);
        // no dependencies, so every plugin links the same reader instead of carrying a copy.
        .target(name: "StrictJSON", path: "Sources/StrictJSON"),
        // What the shipped plugins show people (durations), shared by them and their pure Core
        // modules; no dependencies, so the Cores stay free of PluginKit.
        .target(name: "PluginSupport", path: "Sources/PluginSupport"),
        // MLS (RFC 9420), cipher suite 2, the subset DAVE uses; depends only on swift-crypto.
        .target(
            name: "MLS",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/MLS",
            exclude: ["README.md"]
        ),
        // DAVE on top of MLS; depends only on MLS and swift-crypto, so the host and the local
        // Discord both use it without either depending on the other.
        .target(
            name: "DAVE",
            dependencies: ["MLS", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/DAVE",
            exclude: ["README.md"]
        ),
        // JSON at the byte level, the host's one reader and writer: a value tree that keeps key order
        // and number text (config, bodies the host builds) and a single-pass scanner (gateway, voice,
        // the C json_* calls). No dependencies, so plugins can link it too.
        .target(name: "BotHostJSON", path: "Sources/BotHostJSON"),
        // The host's core: bus, executors, timers and clocks, storage, the plugins.json model
        // and the host's lifecycle events. Swift types only: no C ABI, no Discord.
        .target(
            name: "BotHostCore",
            dependencies: [
                "BotHostJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/BotHostCore"
        ),
        // The Discord client: gateway shards, REST with its rate limits, voice connections (UDP, RTP,
        // Opus, transport encryption, DAVE). Knows nothing of plugins.
        .target(
            name: "DiscordClient",
            dependencies: [
                "BotHostCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "CZlib",
                "COpus",
                "CSodium",
                // Discord's voice end-to-end encryption, at the per-frame seam of every voice connection.
                "DAVE",
            ],
            path: "Sources/DiscordClient"
        ),
        // The plugin host: loading and supervising plugins, their registrations and executors, the
        // runtime services they reach (bus requests, commands and interactions, voice, HTTP), and the C
        // ABI adapter — the one layer where C types and status codes appear.
        .target(
            name: "PluginHost",
            dependencies: [
                "BotHostCore",
                "DiscordClient",
                "PluginAPI",
                "CProcessControl",
                .product(name: "Logging", package: "swift-log"),
                // Plugins' outbound HTTP (http_request).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/PluginHost"
        ),
        // The host, composed: the Discord connection wired to the plugin host. The library users
        // import; it re-exports the layers below.
        .target(
            name: "BotHost",
            dependencies: [
                "BotHostCore",
                "DiscordClient",
                "PluginHost",
                .product(name: "Logging", package: "swift-log"),
                // BotHostService, the host as a Service that the CLI (or any program) runs in a ServiceGroup.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The fuzz entry points build voice gateway frames and DAVE messages.
                .product(name: "NIOWebSocket", package: "swift-nio"),
                "DAVE",
            ],
            path: "Sources/BotHost"
        ),
        // A faithful local Discord (gateway + REST) for the sandbox and the tests.
        .target(
            name: "DiscordEmulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                "CZlib",
                // Voice: the emulator seals, opens and codes media itself, independently of the host.
                "CSodium",
                "COpus",
                // DAVE: the voice gateway is the MLS group's external sender, simulated users are members
                // (their MLS state kept here), and their frames go through the DAVE module's cipher.
                "MLS",
                "DAVE",
            ],
            path: "Sources/DiscordEmulator"
        ),
        .executableTarget(
            name: "BotHostCLI",
            dependencies: [
                "BotHost",
                "DiscordEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // The sandbox's simulated game lobby feed (SandboxLobbyFeed) is a small HTTP server.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/BotHostCLI"
        ),
        // Example plugins: one in plain C (needs only the header), one in Swift over PluginKit.
        .target(
            name: "ExampleCCounter", dependencies: ["PluginAPI"], path: "Plugins/Examples/CCounter",
            publicHeadersPath: "."  // a plugin exports no headers; only its entry symbol
        ),
        .target(name: "ExampleSwiftGreeter", dependencies: ["PluginKit"], path: "Plugins/Examples/SwiftGreeter"),
        // Shipped plugins.
        .target(name: "RateLimit", dependencies: ["PluginKit", "StrictJSON", "PluginSupport"], path: "Plugins/RateLimit", exclude: ["README.md"]),
        // GameSessions: the pure logic (feeds, diff, rendering, pacing) apart, so tests and the bench use it directly.
        .target(name: "GameSessionsCore", dependencies: ["StrictJSON", "PluginSupport"], path: "Plugins/GameSessions/Core"),
        .target(name: "GameSessions", dependencies: ["PluginKit", "GameSessionsCore", "StrictJSON"], path: "Plugins/GameSessions/Plugin"),
        // VoiceSessions: the pure logic (sessions, timeouts, ordered cleanup, config) apart, so tests use it directly.
        .target(name: "VoiceSessionsCore", dependencies: ["StrictJSON", "PluginSupport"], path: "Plugins/VoiceSessions/Core"),
        .target(name: "VoiceSessions", dependencies: ["PluginKit", "VoiceSessionsCore", "StrictJSON", "PluginSupport", "AudioFiles"], path: "Plugins/VoiceSessions/Plugin"),
        .executableTarget(
            name: "BotHostBench",
            dependencies: ["BotHost", "PluginAPI", "DiscordEmulator", "CZlib",
                           // GameSessionsBench: the plugin's core, and NIO for its loopback feed.
                           "GameSessionsCore",
                           // MLSBench: commits and Welcomes in a 50-member group.
                           "MLS",
                           // DAVEBench: frames and an 8-member call's commits.
                           "DAVE",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Benchmarks/BotHostBench"
        ),
        // `make soak`: the real host process under drops, toggles, floods and commands for minutes.
        .executableTarget(name: "BotHostSoak", dependencies: ["DiscordEmulator"], path: "Benchmarks/BotHostSoak"),
        .testTarget(
            name: "BotHostTests",
            dependencies: [
                "BotHost", "PluginAPI", "DiscordEmulator", "AudioFiles", "BotHostTestSupport",
                // BotHostServiceTests run the host in a ServiceGroup, as the CLI does.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The emulated voice gateway's DAVE group is checked with MLS types.
                "MLS",
                "GameSessionsCore",
                "VoiceSessionsCore",
                "StrictJSON",
                "PluginSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                "CZlib",
                "CSodium",
                "COpus",
            ],
            path: "Tests/BotHostTests"
        ),
        // What the test targets share: tone generation and analysis, a seeded random generator.
        .target(name: "BotHostTestSupport", path: "Tests/TestSupport"),
        // One test target per layer, as the layers are modules: each sees only its module and below.
        .testTarget(name: "BotHostJSONTests", dependencies: ["BotHostJSON"], path: "Tests/BotHostJSONTests"),
        .testTarget(
            name: "BotHostCoreTests",
            dependencies: ["BotHostCore", "BotHostTestSupport"],
            path: "Tests/BotHostCoreTests"
        ),
        .testTarget(
            name: "DiscordClientTests",
            dependencies: [
                "DiscordClient", "BotHostCore", "DAVE", "BotHostTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                "CZlib", "CSodium", "COpus",
            ],
            path: "Tests/DiscordClientTests"
        ),
        .testTarget(
            name: "PluginHostTests",
            dependencies: ["PluginHost", "DiscordClient", "BotHostCore"],
            path: "Tests/PluginHostTests"
        ),
        // The libraries plugins link, and the shipped plugins' pure cores, each on its own.
        .testTarget(name: "AudioFilesTests", dependencies: ["AudioFiles", "BotHostTestSupport"], path: "Tests/AudioFilesTests"),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"], path: "Tests/StrictJSONTests"),
        .testTarget(name: "PluginSupportTests", dependencies: ["PluginSupport"], path: "Tests/PluginSupportTests"),
        .testTarget(name: "GameSessionsCoreTests", dependencies: ["GameSessionsCore"], path: "Tests/GameSessionsCoreTests"),
        .testTarget(name: "VoiceSessionsCoreTests", dependencies: ["VoiceSessionsCore", "StrictJSON"], path: "Tests/VoiceSessionsCoreTests"),
        // MLS against the working group's test vectors, multi-member round trips, security and fuzzing.
        .testTarget(
            name: "MLSTests",
            dependencies: ["MLS", "BotHostTestSupport"],
            path: "Tests/MLSTests",
            exclude: ["Vectors", "Interop"]
        ),
        // One DAVE call member (DAVESession) behind a line protocol, for the interop driver in
        // Tests/Interop/DAVE (davey and libdave as the other members).
        .executableTarget(name: "DAVEInteropMember", dependencies: ["DAVE"], path: "Tests/DAVEInterop/Member"),
        // DAVE: frames, ratchet, gateway codecs and the session state machine, on their own.
        .testTarget(
            name: "DAVETests",
            dependencies: ["DAVE", "MLS"],
            path: "Tests/DAVETests"
        ),
    ]
)
