// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, one executable per parser family. A package of its own so the host's ordinary
// build never sees them: they link only with `--sanitize=fuzzer`, which supplies `main`.
// `make fuzz` builds and runs them; the seed corpus is in Corpus/<target>/.
let package = Package(
    name: "BotHostFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "BotHost", path: ".."),
    ],
    targets: [
        .executableTarget(name: "FuzzGatewayFrames", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzGatewayFrames"),
        .executableTarget(name: "FuzzGatewayPayloads", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzGatewayPayloads"),
        .executableTarget(name: "FuzzPluginsFile", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzPluginsFile"),
        .executableTarget(name: "FuzzFeeds", dependencies: [.product(name: "GameSessionsCore", package: "BotHost")], path: "Sources/FuzzFeeds"),
        .executableTarget(name: "FuzzVoiceMedia", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzVoiceMedia"),
        .executableTarget(name: "FuzzInteractions", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzInteractions"),
        .executableTarget(name: "FuzzIsolationFrames", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzIsolationFrames"),
        .executableTarget(name: "FuzzControlRequests", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzControlRequests"),
        .executableTarget(name: "FuzzDAVE", dependencies: [.product(name: "BotHost", package: "BotHost")], path: "Sources/FuzzDAVE"),
    ]
)
