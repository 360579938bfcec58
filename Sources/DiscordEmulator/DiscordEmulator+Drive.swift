/// Making things happen, as Discord and its users would.
extension DiscordEmulator {
    /// Sends a dispatch (op 0) with `data` as `d`, verbatim. Without `toShard` it goes where
    /// Discord would route it: the shard of `data.guild_id`, or shard 0 when there is none.
    /// Returns how many sessions got it (disconnected but resumable sessions included).
    @discardableResult
    public func dispatch(_ event: String, _ data: [UInt8], toShard: Int? = nil) -> Int {
        let target: DispatchTarget
        if let toShard {
            target = .shard(toShard)
        } else {
            target = .guild((try? WireJSONParser.parse(data))?["guild_id"]?.snowflake)
        }
        return hub.dispatch(event: event, target: target) { _ in data }
    }

    @discardableResult
    public func dispatch(_ event: String, json: String, toShard: Int? = nil) -> Int {
        dispatch(event, Array(json.utf8), toShard: toShard)
    }

    /// Sends `payloads` as dispatches of `event` to the sessions of `shard`, all compressed before
    /// the first leaves: a sender that pre-compresses, for measuring how fast a client ingests.
    /// `beforeSending` runs once the frames are ready, just before they are queued (under the
    /// gateway's lock: read a clock, nothing more). Returns how many sessions got the burst.
    @discardableResult
    public func dispatchBurst(_ event: String, _ payloads: [[UInt8]], toShard shard: Int, beforeSending: () -> Void = {}) -> Int {
        hub.dispatchBurst(event: event, shard: shard, payloads, beforeSending: beforeSending)
    }

    /// A user posts in a channel: the message is stored and MESSAGE_CREATE goes to sessions with
    /// GUILD_MESSAGES (content only with MESSAGE_CONTENT, or when the bot is mentioned).
    @discardableResult
    public func userSendsMessage(channelID: UInt64, content: String, userID: UInt64 = 3000) -> UInt64 {
        rest.userSendsMessage(channelID: channelID, content: content, userID: userID)
    }

    /// A user runs a slash command: INTERACTION_CREATE (type 2) is dispatched. `options` is the
    /// JSON array for `data.options` (e.g. `[{"name":"text","type":3,"value":"hi"}]`); invalid
    /// JSON counts as no options. `guildID` defaults to the channel's guild. The 3-second
    /// response window starts now on the emulator clock.
    @discardableResult
    public func userInvokesCommand(
        name: String, options: String = "[]", guildID: UInt64? = nil, channelID: UInt64 = 2001, userID: UInt64 = 3000,
        permissions: UInt64 = 1_799_804_002_094_657
    ) -> (interactionID: UInt64, token: String) {
        let parsed = (try? WireJSONParser.parse(options)).flatMap { $0.arrayValue != nil ? $0 : nil } ?? .array([])
        return rest.userInvokesCommand(
            name: name, options: parsed, guildID: guildID, channelID: channelID, userID: userID, permissions: String(permissions))
    }

    /// A user types into an option of a command with autocomplete: INTERACTION_CREATE (type 4).
    /// `options` as for `userInvokesCommand`, with `"focused": true` on the option being typed.
    @discardableResult
    public func userTypesOption(
        command name: String, options: String, guildID: UInt64? = nil, channelID: UInt64 = 2001, userID: UInt64 = 3000
    ) -> (interactionID: UInt64, token: String) {
        let parsed = (try? WireJSONParser.parse(options)).flatMap { $0.arrayValue != nil ? $0 : nil } ?? .array([])
        return rest.userInvokesCommand(
            name: name, options: parsed, guildID: guildID, channelID: channelID, userID: userID,
            permissions: "1799804002094657", type: 4)
    }

    /// A user clicks a button on a message: INTERACTION_CREATE (type 3). nil if the message is unknown.
    public func userClicksButton(messageID: UInt64, channelID: UInt64 = 2001, customID: String, userID: UInt64 = 3000) -> (interactionID: UInt64, token: String)? {
        rest.userClicksButton(messageID: messageID, channelID: channelID, customID: customID, userID: userID)
    }

    /// A user joins (or moves to) a voice channel: VOICE_STATE_UPDATE goes to sessions with
    /// GUILD_VOICE_STATES, and later GUILD_CREATEs list the voice state. False for a channel that
    /// is not a voice channel.
    @discardableResult
    public func userJoinsVoice(channelID: UInt64 = 2002, userID: UInt64 = 3000, selfMute: Bool = false, selfDeaf: Bool = false) -> Bool {
        guard let guildID = env.topology.channel(channelID)?.guildID else { return false }
        let previous = voiceChannels(guildID: guildID)[userID]
        guard rest.userMovesVoice(guildID: guildID, channelID: channelID, userID: userID, selfMute: selfMute, selfDeaf: selfDeaf) else {
            return false
        }
        // The bot's voice server hears about users entering or leaving its channel (op 11 / 13).
        hub.voice.userMoved(guildID: guildID, userID: userID, from: previous, to: channelID)
        return true
    }

    /// A user leaves voice in a guild: VOICE_STATE_UPDATE with `channel_id: null`.
    public func userLeavesVoice(guildID: UInt64 = 2000, userID: UInt64 = 3000) {
        let previous = voiceChannels(guildID: guildID)[userID]
        rest.userMovesVoice(guildID: guildID, channelID: nil, userID: userID, selfMute: false, selfDeaf: false)
        hub.voice.userMoved(guildID: guildID, userID: userID, from: previous, to: nil)
    }

    /// A user's presence changes: PRESENCE_UPDATE goes to sessions with GUILD_PRESENCES.
    /// `activities` is the JSON array Discord would send, e.g.
    /// `[{"name":"Minecraft","type":0,"created_at":1700000000000}]`; invalid JSON counts as none.
    public func userUpdatesPresence(userID: UInt64 = 3000, guildID: UInt64 = 2000, status: String = "online", activities: String = "[]") {
        let parsed = (try? WireJSONParser.parse(activities)).flatMap { $0.arrayValue != nil ? $0 : nil } ?? .array([])
        rest.userUpdatesPresence(guildID: guildID, userID: userID, status: status, activities: parsed)
    }
}
