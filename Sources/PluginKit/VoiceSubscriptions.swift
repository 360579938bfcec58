/// Receiving audio and voice events. Handlers run on the plugin's executor, isolated to the plugin
/// actor, with the host's frame or event already copied (the host's memory is valid only during the
/// callback).
extension Voice {
    /// Calls `handler` with every user's audio in `guild` (nil: every guild) as 20 ms frames in
    /// `format`, in order per speaker (reordered, duplicates dropped; a lost PCM frame is concealed
    /// and flagged). A slow plugin loses frames rather than delaying others; the host counts them.
    @discardableResult
    public func onAudio(guild: UInt64?, format: VoiceAudioFormat,
                        _ handler: @escaping (VoiceFrame) -> Void) throws -> Registration {
        let subscribe = try host.table.require(\.voice_subscribe_audio, Self.slotName("voice_subscribe_audio"))
        let delivery = FrameDelivery(format: format, handler: handler)
        let scope = guild.map { "guild \($0)" } ?? "every guild"
        return try host.register(HandlerBox(host: host, handler: delivery), "subscribe to voice audio in \(scope)") { userData, handle in
            subscribe(host.plugin, guild ?? 0, format.rawValue, frameArrived, userData, releaseCallbackBox, handle)
        }
    }

    /// Calls `handler` with the voice events of `guild` (nil: every guild): connection changes,
    /// speaking, users joining and leaving the bot's channel, the send queue draining.
    @discardableResult
    public func onEvent(guild: UInt64?, _ handler: @escaping (VoiceEvent) -> Void) throws -> Registration {
        let subscribe = try host.table.require(\.voice_subscribe_events, Self.slotName("voice_subscribe_events"))
        let scope = guild.map { "guild \($0)" } ?? "every guild"
        return try host.register(HandlerBox(host: host, handler: handler), "subscribe to voice events in \(scope)") { userData, handle in
            subscribe(host.plugin, guild ?? 0, eventArrived, userData, releaseCallbackBox, handle)
        }
    }
}

/// An audio subscription's handler and the format it asked for (a frame does not say its format).
struct FrameDelivery {
    let format: VoiceAudioFormat
    let handler: (VoiceFrame) -> Void
}

private func frameArrived(_ userData: UnsafeMutableRawPointer?, _ subscription: bothost_handle,
                          _ pointer: UnsafePointer<bothost_voice_frame>?) {
    guard let box = HandlerBox<FrameDelivery>.from(userData), let pointer else { return }
    let frame = VoiceFrame(copying: pointer, format: box.handler.format)
    box.host.enter { box.handler.handler(frame) }
}

private func eventArrived(_ userData: UnsafeMutableRawPointer?, _ subscription: bothost_handle,
                          _ pointer: UnsafePointer<bothost_voice_event>?) {
    guard let box = HandlerBox<(VoiceEvent) -> Void>.from(userData), let pointer else { return }
    let event = VoiceEvent(copying: pointer)
    box.host.enter { box.handler(event) }
}
