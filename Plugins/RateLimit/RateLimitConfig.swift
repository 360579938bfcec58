import StrictJSON

/// The plugin's config from plugins.json (every key optional; README.md lists them):
///
///     {"voice": {"maxDuration": 7200000, "resetTime": 3600000, "cleanupThreshold": 10800000,
///                "cleanupInterval": 600000, "perGuild": false},
///      "limiters": {"command": {"rate": 5, "perSeconds": 60, "burst": 5}},
///      "sweepInterval": 60000}
struct RateLimitConfig: Decodable {
    /// Used by requests that name no limiter, unless the config defines its own "default".
    static let builtInDefault = (name: "default", rate: Int64(5), periodMs: Int64(60_000), burst: Int64(5))

    var voice = VoicePolicy()
    var limiters: [String: LimiterSpec] = [:]
    /// How often limiter keys that are back to their full burst are dropped.
    var sweepIntervalMs: Int64 = 60_000

    /// Reads plugins.json's `"config"`; the error names the field it refuses
    /// (`PluginConfig.parse` makes it the plugin's refusal).
    static func parse(_ bytes: [UInt8]) throws(FieldError) -> RateLimitConfig {
        try JSONFields.decode(RateLimitConfig.self, from: bytes, what: "the config")
    }

    init(from decoder: any Decoder) throws {
        let fields = try JSONFields(decoder)
        try fields.rejectUnknown(known: ["voice", "limiters", "sweepInterval"])
        do {
            voice = try VoicePolicy.read(from: try fields.object("voice"))
        } catch {
            throw error.inside("voice")
        }
        limiters = try Self.readLimiters(try fields.object("limiters"))
        if let sweep = try fields.integer("sweepInterval") {
            guard (1...86_400_000).contains(sweep) else {
                throw FieldError("sweepInterval", "must be a number of milliseconds from 1 to 86400000, got \(sweep)")
            }
            sweepIntervalMs = sweep
        }
    }

    private static func readLimiters(_ fields: JSONFields?) throws(FieldError) -> [String: LimiterSpec] {
        let builtIn = builtInDefault
        var specs = [builtIn.name: try LimiterSpec(rate: builtIn.rate, periodMs: builtIn.periodMs, burst: builtIn.burst)]
        guard let fields else { return specs }
        for name in fields.keys {
            do throws(FieldError) {
                guard isValidName(name) else {
                    throw FieldError("", "is not a valid limiter name: use 1 to 64 of a-z A-Z 0-9 _ . -")
                }
                guard let limiter = try fields.object(name) else { throw FieldError("", "must be a JSON object") }
                try limiter.rejectUnknown(known: ["rate", "perSeconds", "burst"])
                specs[name] = try LimiterSpec.read(from: limiter, required: true)
            } catch {
                throw error.inside("limiters.\(name)")
            }
        }
        return specs
    }

    private static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }
}
