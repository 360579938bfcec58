import StrictJSON

/// The plugin's config from plugins.json; README.md lists every key.
///
///     {"sources": [{"id": "openra", "url": "https://master.openra.net/games?protocol=2&type=json",
///                   "format": "openra", "interval": 30, "channel": "2001",
///                   "filters": {"mods": ["ra"], "states": ["waiting"], "minPlayers": 1}}],
///      "pacing": {"calls": 5, "perSeconds": 5, "totalPerSecond": 25}}
public struct GameSessionsConfig: Sendable, Equatable, Decodable {
    public var sources: [SourceConfig]
    /// Discord calls per channel per window, so a busy feed never runs into the channel's limit.
    public var pacing = PaceBudget.Limit(calls: 5, windowMs: 5_000)
    /// Discord calls per second across all channels: half of Discord's global 50, which every
    /// plugin of the bot shares, so this one never crowds the others out or trips the global limit.
    public var totalPacing = PaceBudget.Limit(calls: 25, windowMs: 1_000)

    public init(sources: [SourceConfig], pacing: PaceBudget.Limit = PaceBudget.Limit(calls: 5, windowMs: 5_000),
                totalPacing: PaceBudget.Limit = PaceBudget.Limit(calls: 25, windowMs: 1_000)) {
        self.sources = sources
        self.pacing = pacing
        self.totalPacing = totalPacing
    }

    /// Parses the config JSON; the error names the field (`sources[1].url`) and the fix.
    public static func parse(_ bytes: [UInt8]) throws(FieldError) -> GameSessionsConfig {
        try JSONFields.decode(GameSessionsConfig.self, from: bytes, what: "the config")
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONFields(decoder)
        try fields.rejectUnknown(known: ["sources", "pacing"])
        guard let list = try fields.objects("sources"), !list.isEmpty else {
            throw FieldError("sources", "must list at least one feed, e.g. [{\"id\": \"openra\", \"url\": \"https://master.openra.net/games?protocol=2&type=json\", \"channel\": \"123…\"}]")
        }
        var sources: [SourceConfig] = []
        for (index, entry) in list.enumerated() {
            do {
                let source = try SourceConfig.read(from: entry)
                guard !sources.contains(where: { $0.id == source.id }) else {
                    throw FieldError("id", "\"\(source.id)\" is used by an earlier source; every source needs its own id")
                }
                sources.append(source)
            } catch let error as FieldError {
                throw error.inside("sources[\(index)]")
            }
        }
        self.sources = sources
        if let pacing = try fields.object("pacing") {
            do throws(FieldError) {
                try pacing.rejectUnknown(known: ["calls", "perSeconds", "totalPerSecond"])
                let calls = try pacing.integer("calls") ?? 5
                guard (1...50).contains(calls) else { throw FieldError("calls", "must be a whole number from 1 to 50, got \(calls)") }
                let seconds = try pacing.number("perSeconds") ?? 5
                guard (0.1...3600).contains(seconds) else {
                    throw FieldError("perSeconds", "must be a number of seconds from 0.1 to 3600, got \(seconds)")
                }
                self.pacing = PaceBudget.Limit(calls: Int(calls), windowMs: Int64((seconds * 1000).rounded()))
                let total = try pacing.integer("totalPerSecond") ?? 25
                guard (1...50).contains(total) else {
                    throw FieldError("totalPerSecond", "must be a whole number from 1 to 50 (Discord allows a bot 50 calls a second in all), got \(total)")
                }
                totalPacing = PaceBudget.Limit(calls: Int(total), windowMs: 1_000)
            } catch {
                throw error.inside("pacing")
            }
        }
    }
}
