/// Reading what happened.
extension DiscordEmulator {
    /// Every REST request, oldest first.
    public var requests: [RecordedRequest] { env.recorder.requests }

    /// Every gateway payload and close frame, in and out, oldest first.
    public var gatewayEvents: [RecordedGatewayFrame] { env.recorder.frames }

    /// Every identify and how it was judged, oldest first (order and spacing of shard starts).
    public var identifies: [RecordedIdentify] { env.recorder.identifies }

    /// Injected faults as they took effect.
    public var faults: [RecordedFault] { env.recorder.faults }

    /// Messages currently in a channel, oldest first (deleted ones are gone).
    public func messages(in channelID: UInt64) -> [EmulatedMessage] {
        world.withLock { $0.messages.messages(in: channelID) }.map { message in
            EmulatedMessage(
                id: message.id, channelID: message.channelID, guildID: message.guildID, authorID: message.author.id,
                content: message.content, embedsJSON: WireJSON.array(message.embeds).text,
                componentsJSON: WireJSON.array(message.components).text, flags: message.flags, type: message.type,
                createdAtMs: message.createdAtMs, editedAtMs: message.editedAtMs, editCount: message.editCount,
                interactionID: message.interactionID, json: rest.messageObject(message).text)
        }
    }

    /// Registered commands: global ones for nil, else the guild's.
    public func commands(guildID: UInt64?) -> [EmulatedCommand] {
        world.withLock { $0.commands.commands(guildID: guildID) }.map { command in
            EmulatedCommand(
                id: command.id, guildID: command.guildID, name: command.name, type: command.type,
                description: command.description, json: command.object.text)
        }
    }

    /// How the application answered an interaction: the callback, follow-ups, edits and deletes,
    /// each with the status the emulator gave it.
    public func interactionResponses(_ interactionID: UInt64) -> [RecordedInteractionResponse] {
        env.recorder.interactionResponses(for: interactionID)
    }

    /// Bulk overwrites (PUT) of global or guild commands so far.
    public var commandOverwriteCount: Int { world.withLock { $0.commands.overwriteCount } }

    /// 401, 403 and non-shared 429 answers in the last 10 minutes (Discord bans an IP at 10,000).
    public var invalidRequestCount: Int { rest.invalidRequestCount }

    /// The emulator's clock, Unix milliseconds (real time plus whatever `advanceClock` added).
    public var nowMs: Int64 { env.clock.nowMs() }

    /// Sessions that are connected or still resumable.
    public var liveSessionCount: Int { hub.liveSessionCount }

    /// Who is in which voice channel of a guild, by user id.
    public func voiceChannels(guildID: UInt64) -> [UInt64: UInt64] {
        Dictionary(uniqueKeysWithValues: world.withLock { $0.members.voiceStates(in: guildID) }.map { ($0.userID, $0.channelID) })
    }
}
