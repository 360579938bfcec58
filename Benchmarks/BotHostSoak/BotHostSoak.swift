import DiscordEmulator
import Foundation

/// `make soak`: the real `bothost run` process against the local Discord for a while (10 minutes by
/// default) under everything a busy bot meets at once — gateway drops and reconnect requests,
/// plugins disabled and enabled again by editing plugins.json, voice joins and leaves, bus floods
/// through the console, and a slash command every second. It checks that every command was
/// answered and that the host's memory and open file descriptors stay within a bound after the
/// first minute, and prints the figures. Exit status 0 only when every check held.
@main
struct BotHostSoak {
    static func main() async throws {
        let settings = try SoakSettings(CommandLine.arguments.dropFirst())
        let result = try await SoakRun(settings: settings).run()
        print(result.report)
        exit(result.passed ? 0 : 1)
    }
}

struct SoakSettings {
    var seconds = 600
    var buildDirectory = ".build/debug"
    /// After the warm-up, resident memory may grow by at most this much…
    var rssGrowthLimitKB = 24 * 1024
    /// …and open descriptors by at most this many.
    var fdGrowthLimit = 16

    init(_ arguments: ArraySlice<String>) throws {
        var rest = arguments
        while let flag = rest.popFirst() {
            switch flag {
            case "--seconds": seconds = try Self.number(rest.popFirst(), flag)
            case "--build-dir": buildDirectory = rest.popFirst() ?? buildDirectory
            case "--rss-growth-kb": rssGrowthLimitKB = try Self.number(rest.popFirst(), flag)
            case "--fd-growth": fdGrowthLimit = try Self.number(rest.popFirst(), flag)
            default: throw SoakError("unknown option \(flag); options: --seconds N, --build-dir DIR, --rss-growth-kb N, --fd-growth N")
            }
        }
    }

    private static func number(_ text: String?, _ flag: String) throws -> Int {
        guard let text, let value = Int(text), value > 0 else { throw SoakError("\(flag) needs a positive whole number") }
        return value
    }
}

struct SoakError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
