import BotHostCore
import DiscordClient
import PluginAPI

extension HostAPI {
    package static func installVoice(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.voice_join = apiVoiceJoin
        table.pointee.voice_leave = apiVoiceLeave
        table.pointee.voice_send = apiVoiceSend
        table.pointee.voice_stop_sending = { plugin, guild in
            hostCall(plugin) { instance throws(HostCallError) in
                try voiceService(instance).stopSending(plugin: instance.name, guildID: guild)
            }
        }
        table.pointee.voice_subscribe_audio = apiVoiceSubscribeAudio
        table.pointee.voice_subscribe_events = apiVoiceSubscribeEvents
    }
}

private func voiceService(_ instance: PluginInstance) throws(HostCallError) -> VoiceService {
    guard let service = instance.runtime.voice else {
        throw HostCallError(Status.unsupported, instance.runtime.noDiscordReason(for: "voice"))
    }
    return service
}

/// The status a failed join reports, and the words for it.
private func joinFailure(_ error: any Error) -> (bothost_status, String) {
    switch error {
    case let error as HostCallError: return (error.status, error.detail)
    case let refusal as VoiceRefusal: return (refusal.status, refusal.description)
    case let error as VoiceConnectionError:
        switch error {
        case .joinTimedOut: return (Status.timeout, error.description)
        case .gatewayNotReady, .joinInProgress: return (Status.conflict, error.description)
        default: return (Status.io, error.description)
        }
    case is CancellationError: return (Status.cancelled, "the join was cancelled")
    default: return (Status.io, "\(error)")
    }
}

private func errorBody(_ text: String) -> [UInt8] {
    JSONValue.object(["error": .string(text)]).compactBytes
}

/// Runs `work` and completes the one-shot registration with its JSON body or failure.
private func completeLater(_ instance: PluginInstance, _ registration: Registration, _ done: bothost_done_fn?,
                           _ work: @escaping @Sendable () async throws -> [UInt8]) {
    let handle = registration.handle
    Task {
        let status: bothost_status, body: [UInt8]
        do {
            body = try await work()
            status = Status.ok
        } catch {
            let failure = joinFailure(error)
            (status, body) = (failure.0, errorBody(failure.1))
        }
        guard let taken = instance.take(handle) else { return }
        instance.complete(taken, deliver: done != nil) { withCBytes(body) { done?(taken.userData, status, $0) } }
    }
}

private func apiVoiceJoin(_ plugin: OpaquePointer?, _ guild: UInt64, _ channel: UInt64, _ flags: UInt32, _ done: bothost_done_fn?,
                          _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?) -> bothost_status {
    hostRegister(plugin, .completion, userData, free, nil) { instance, registration throws(HostCallError) in
        guard guild != 0, channel != 0 else { throw HostCallError(Status.invalidArgument, "voice_join needs a guild id and a channel id") }
        let service = try voiceService(instance)
        let name = instance.name
        completeLater(instance, registration, done) {
            let session = try await service.join(plugin: name, guildID: guild, channelID: channel,
                                                 selfMute: flags & UInt32(BOTHOST_VOICE_SELF_MUTE) != 0,
                                                 selfDeaf: flags & UInt32(BOTHOST_VOICE_SELF_DEAF) != 0)
            let answer: JSONValue = ["channel_id": .string(String(session.channelID)), "guild_id": .string(String(guild)),
                                     "mode": .string(session.mode.rawValue)]
            return answer.compactBytes
        }
    }
}

private func apiVoiceLeave(_ plugin: OpaquePointer?, _ guild: UInt64, _ done: bothost_done_fn?,
                           _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?) -> bothost_status {
    // Leaving is what a stopping plugin's cleanup hooks do, when nothing new may be registered:
    // the hold is released all the same; the plugin gets no callback after it stopped.
    // Without a voice service (the Discord connection already stopped) there is no hold left to
    // release, so that is a success too rather than a refusal to register.
    if let instance = PluginRef.instance(plugin), instance.acceptsCalls, !instance.acceptsCallbacks {
        if let service = instance.runtime.voice {
            let name = instance.name
            Task { try? await service.leave(plugin: name, guildID: guild) }
        }
        instance.scheduleFree(userData, free)
        return Status.ok
    }
    return hostRegister(plugin, .completion, userData, free, nil) { instance, registration throws(HostCallError) in
        let service = try voiceService(instance)
        let name = instance.name
        completeLater(instance, registration, done) {
            try await service.leave(plugin: name, guildID: guild)
            return Array(#"{}"#.utf8)
        }
    }
}

private func apiVoiceSend(_ plugin: OpaquePointer?, _ guild: UInt64, _ format: bothost_audio_format, _ frame: bothost_bytes) -> bothost_status {
    hostCall(plugin) { instance throws(HostCallError) in
        let service = try voiceService(instance)
        let outgoing: OutgoingVoiceFrame
        switch VoiceAudioKind(rawValue: format) {
        case .pcm:
            guard frame.len == Int(BOTHOST_VOICE_FRAME_BYTES), let base = frame.ptr else {
                throw HostCallError(Status.invalidArgument, "a PCM frame is exactly \(BOTHOST_VOICE_FRAME_BYTES) bytes (960 stereo samples); got \(frame.len)")
            }
            outgoing = .pcm((0..<Int(BOTHOST_VOICE_FRAME_SAMPLES)).map { UnsafeRawPointer(base).loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self) })
        case .opus:
            guard (1...1275).contains(frame.len) else {
                throw HostCallError(Status.invalidArgument, "an Opus frame is 1–1275 bytes; got \(frame.len)")
            }
            outgoing = .opus(frame.array)
        case nil:
            throw HostCallError(Status.invalidArgument, "format \(format) is not BOTHOST_AUDIO_PCM (1) or BOTHOST_AUDIO_OPUS (2)")
        }
        do throws(VoiceRefusal) {
            try service.send(outgoing, plugin: instance.name, guildID: guild)
        } catch {
            throw HostCallError(error.status, error.description)
        }
    }
}

private func apiVoiceSubscribeAudio(_ plugin: OpaquePointer?, _ guild: UInt64, _ format: bothost_audio_format, _ fn: bothost_voice_frame_fn?,
                                    _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                                    _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .subscription, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "voice_subscribe_audio needs a callback") }
        guard let kind = VoiceAudioKind(rawValue: format) else {
            throw HostCallError(Status.invalidArgument, "format \(format) is not BOTHOST_AUDIO_PCM (1) or BOTHOST_AUDIO_OPUS (2)")
        }
        let handle = registration.handle
        let listener = VoiceListeners.AudioListener(guildID: guild, format: kind) { audio in
            instance.executor.enqueue(.work {
                guard registration.isActive, instance.acceptsCallbacks else { return }
                deliverFrame(audio, kind: kind, fn: fn, userData: registration.userData, handle: handle)
            }, droppable: true)
        }
        let listeners = instance.runtime.voiceListeners
        listeners.add(audio: listener, id: handle)
        registration.teardown = { _ in listeners.remove(handle) }
    }
}

private func deliverFrame(_ audio: ReceivedVoiceAudio, kind: VoiceAudioKind, fn: bothost_voice_frame_fn,
                          userData: UnsafeMutableRawPointer?, handle: UInt64) {
    if kind == .opus && audio.opus.isEmpty { return }  // a lost packet has no Opus to give
    withVoiceFrame(guildID: audio.guildID, userID: audio.userID, ssrc: audio.ssrc, rtpTimestamp: audio.timestamp, sequence: audio.sequence,
                   concealed: audio.concealed ? 1 : 0, pcm: kind == .pcm ? audio.pcm : nil, opus: kind == .opus ? audio.opus : []) {
        fn(userData, handle, $0)
    }
}

private func apiVoiceSubscribeEvents(_ plugin: OpaquePointer?, _ guild: UInt64, _ fn: bothost_voice_event_fn?,
                                     _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                                     _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .subscription, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "voice_subscribe_events needs a callback") }
        let handle = registration.handle
        // A kind newer than the plugin's required minor is one it may not know (rule 2): not sent.
        let requiredMinor = instance.library.descriptor.abiMinor
        let listener = VoiceListeners.EventListener(guildID: guild) { event in
            guard event.kind.abiMinor <= requiredMinor else { return }
            instance.callback(registration) {
                withVoiceEvent(kind: event.kind.rawValue, guildID: event.guildID, channelID: event.channelID, userID: event.userID,
                               speaking: event.speaking, reason: Array(event.reason.utf8)) {
                    fn(registration.userData, handle, $0)
                }
            }
        }
        let listeners = instance.runtime.voiceListeners
        listeners.add(events: listener, id: handle)
        registration.teardown = { _ in listeners.remove(handle) }
    }
}

extension VoiceRefusal {
    /// The ABI status a refusal is reported with.
    var status: bothost_status {
        switch self {
        case .notInVoice: Status.notFound
        case .heldByAnother: Status.conflict
        case .queueFull: Status.queueFull
        }
    }
}

