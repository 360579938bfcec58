/// The GameSessions parsers for the libFuzzer target (Fuzz/) and the corpus replay test. The first
/// byte picks what the rest is: an OpenRA feed, a generic feed (default key paths, or the nested
/// layout of the sample fixtures), or the plugin's config. Feeds that parse are rendered the way
/// the plugin posts them, and the output must be one JSON value whose cheap hash matches the
/// rendered bytes; anything else traps, so the fuzzer reports it.
@_spi(Fuzzing) public enum FeedFuzzEntry {
    static let nowMs: Int64 = 1_714_570_000_000

    public static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let body = Array(input.dropFirst())
        let format: SourceConfig.Format
        switch selector % 4 {
        case 0: format = .openra
        case 1: format = .generic(GenericLayout())
        case 2: format = .generic(nestedLayout)
        default:
            _ = try? GameSessionsConfig.parse(body)
            return
        }
        guard let snapshot = try? FeedParser.parse(body, format: format, nowMs: nowMs) else { return }
        render(snapshot.sessions)
    }

    /// A layout with every path moved, as a source configured for another game's API has it (the
    /// shape of the generic-nested.json fixture).
    static var nestedLayout: GenericLayout {
        var layout = GenericLayout()
        layout.sessions = FieldPath("data.servers")
        layout.id = FieldPath("uuid")
        layout.name = FieldPath("title")
        layout.players = FieldPath("stats.online")
        layout.maxPlayers = FieldPath("stats.capacity")
        layout.state = FieldPath("phase")
        layout.modName = FieldPath("game.name")
        layout.modURL = FieldPath("game.link")
        layout.modVersion = FieldPath("game.build")
        layout.playerList = FieldPath("roster")
        layout.playerName = FieldPath("nick")
        layout.startedAt = FieldPath("since")
        layout.waitingStates = ["lobby"]
        layout.playingStates = ["running"]
        return layout
    }

    private static func render(_ sessions: [GameSession]) {
        let book = SessionBook(sourceName: "fuzz")
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: EmbedWriter.scratchBytes)
        defer { scratch.deallocate() }
        var tracked: [TrackedSession] = []
        for session in sessions.prefix(32) {
            let post = book.render(session, firstSeenMs: nowMs - 60_000)
            checkJSON(post.embed)
            let context = SessionEmbed.Context(sourceName: "fuzz", firstSeenMs: nowMs - 60_000)
            precondition(SessionEmbed.liveHash(session, context, scratch: scratch) == post.hash,
                         "the live embed's hash differs from the hash of its rendered bytes")
            checkJSON(SessionEmbed.ended(session, context, endedAtMs: nowMs))
            checkJSON(SessionEmbed.stopped(session, context))
            checkJSON(post.createBody(nonce: "fuzz"))
            tracked.append(TrackedSession(session: session, hash: post.hash, firstSeenMs: nowMs))
        }
        checkJSON(SummaryEmbed.render(page: 0, sessions: tracked, sourceName: "fuzz"))
    }

    private static func checkJSON(_ bytes: [UInt8]) {
        do {
            _ = try FeedJSONParser.parse(bytes)
        } catch {
            preconditionFailure("rendered JSON does not parse: \(error): \(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
