/// Voice through the host (ABI minor 3): the bot's one voice connection per guild, shared by the
/// plugins that hold it. Joining makes this plugin a holder; leaving (or stopping) releases the hold,
/// and the bot leaves when no plugin holds the guild any more. Audio is 48 kHz stereo in 20 ms frames:
/// the host encodes, encrypts, paces and sends, and receives, decrypts, reorders and decodes.
///
///     let joined = try await host.voice.join(guild: guildID, channel: channelID)
///     try host.voice.send(guild: guildID, opus: packet)            // one 20 ms Opus packet, as is
///     try host.voice.onAudio(guild: guildID, format: .opus) { frame in … }
///
/// Check `isAvailable` first: a host without voice throws `PluginError(.unsupported)` from every call.
public struct Voice: Sendable {
    let host: PluginHost

    /// Samples in one PCM frame: 960 per channel, two channels interleaved (BOTHOST_VOICE_FRAME_SAMPLES).
    public static let pcmFrameSamples = Int(BOTHOST_VOICE_FRAME_SAMPLES)
    /// The largest Opus packet one frame may carry.
    public static let maxOpusPacketBytes = 1275

    /// Whether this host offers voice at all (ABI 1.3 and the host's voice support). A host without a
    /// Discord connection has the calls but answers `.unsupported`.
    public var isAvailable: Bool { host.table.has(\.voice_join) }

    /// Joins (or holds) the guild's voice channel and returns once audio can flow.
    ///
    /// Throws `PluginError` with `.timeout` (Discord did not answer), `.io` (the voice server refused
    /// or failed), `.conflict` (another plugin holds the guild's voice in another channel),
    /// `.unsupported` (no voice or no Discord connection). Joining the channel the bot is already in
    /// only adds this plugin's hold.
    nonisolated(nonsending) public func join(guild: UInt64, channel: UInt64, selfMute: Bool = false, selfDeaf: Bool = false) async throws -> VoiceJoin {
        let voiceJoin = try host.table.require(\.voice_join, Self.slotName("voice_join"))
        let host = self.host
        var flags: UInt32 = 0
        if selfMute { flags |= UInt32(BOTHOST_VOICE_SELF_MUTE) }
        if selfDeaf { flags |= UInt32(BOTHOST_VOICE_SELF_DEAF) }
        let answer = try await PendingCall<[UInt8]>.run(host: host) { call in
            let userData = Unmanaged.passRetained(PendingBox(host: host, call: call)).toOpaque()
            // No release on failure: the host frees user_data whichever way the call ends (rule 5).
            try host.check(voiceJoin(host.plugin, guild, channel, flags, voiceCallDone, userData, releaseCallbackBox),
                           "voice join in guild \(guild)")
            return 0  // a join has no handle: it cannot be cancelled, only left
        }
        return VoiceJoin(answer: answer, guild: guild, channel: channel)
    }

    /// Releases this plugin's hold on the guild's voice and returns once it is released (and, if it
    /// was the last hold, the bot has left). Frames this plugin queued are dropped.
    nonisolated(nonsending) public func leave(guild: UInt64) async throws {
        let voiceLeave = try host.table.require(\.voice_leave, Self.slotName("voice_leave"))
        let host = self.host
        _ = try await PendingCall<[UInt8]>.run(host: host) { call in
            let userData = Unmanaged.passRetained(PendingBox(host: host, call: call)).toOpaque()
            try host.check(voiceLeave(host.plugin, guild, voiceCallDone, userData, releaseCallbackBox),
                           "voice leave in guild \(guild)")
            return 0
        }
    }

    /// Releases this plugin's hold without waiting for the host to finish leaving (for `stop()` and
    /// other synchronous paths). Throws only when the host refused the call itself.
    public func leave(guild: UInt64) throws {
        let voiceLeave = try host.table.require(\.voice_leave, Self.slotName("voice_leave"))
        try host.check(voiceLeave(host.plugin, guild, nil, nil, nil), "voice leave in guild \(guild)")
    }

    /// Queues one 20 ms PCM frame: exactly `pcmFrameSamples` interleaved stereo samples (the host
    /// encodes it). Throws `.invalidArgument` for any other length, `.queueFull` when 10 s are already
    /// queued (retry after a `.sendDrained` event or later), `.conflict` while another plugin's frames
    /// are queued in the guild, `.notFound` when this plugin does not hold the guild's voice.
    public func send(guild: UInt64, pcm: [Int16]) throws {
        guard pcm.count == Self.pcmFrameSamples else {
            throw PluginError(.invalidArgument, "a PCM voice frame is exactly \(Self.pcmFrameSamples) samples "
                              + "(960 per channel, stereo interleaved, 20 ms at 48 kHz), got \(pcm.count)")
        }
        let voiceSend = try host.table.require(\.voice_send, Self.slotName("voice_send"))
        // Native-endian int16 samples, as the ABI defines PCM: lent to the host as their bytes.
        let status = pcm.withUnsafeBufferPointer { samples in
            samples.withMemoryRebound(to: UInt8.self) { bytes in
                voiceSend(host.plugin, guild, VoiceAudioFormat.pcm.rawValue, bothost_bytes(ptr: bytes.baseAddress, len: bytes.count))
            }
        }
        try host.check(status, "voice send (PCM) in guild \(guild)")
    }

    /// Queues one Opus packet of 20 ms (sent as is, no re-encoding: Ogg Opus files play this way).
    /// Errors as for the PCM form; a packet that is empty or over `maxOpusPacketBytes` is `.invalidArgument`.
    public func send(guild: UInt64, opus: [UInt8]) throws {
        guard (1...Self.maxOpusPacketBytes).contains(opus.count) else {
            throw PluginError(.invalidArgument, "an Opus voice frame is one packet of 1 to \(Self.maxOpusPacketBytes) bytes, got \(opus.count)")
        }
        let voiceSend = try host.table.require(\.voice_send, Self.slotName("voice_send"))
        let status = withBytes(opus) { voiceSend(host.plugin, guild, VoiceAudioFormat.opus.rawValue, $0) }
        try host.check(status, "voice send (Opus) in guild \(guild)")
    }

    /// Drops the frames this plugin queued in the guild; the host ends with silence.
    public func stopSending(guild: UInt64) throws {
        let stop = try host.table.require(\.voice_stop_sending, Self.slotName("voice_stop_sending"))
        try host.check(stop(host.plugin, guild), "voice stop sending in guild \(guild)")
    }

    /// The slot's name for errors from a host that lacks it: says which ABI version brings it.
    static func slotName(_ slot: String) -> String { "\(slot) (voice, ABI 1.3)" }
}

/// The `bothost_done_fn` of voice_join and voice_leave: the body on success, `{"error": …}` otherwise.
private func voiceCallDone(_ userData: UnsafeMutableRawPointer?, _ status: bothost_status, _ body: bothost_bytes) {
    guard let box = PendingBox<[UInt8]>.from(userData) else { return }
    let bytes = Array(body)
    box.host.enter {
        if status == StatusCode.ok.rawValue {
            box.call.finish(.success(bytes))
        } else {
            let code = StatusCode(rawValue: status)
            let detail = JSON.errorText(bytes) ?? ""
            box.call.finish(.failure(PluginError(code, detail.isEmpty ? "voice call failed with \(code)" : detail, payload: bytes)))
        }
    }
}
