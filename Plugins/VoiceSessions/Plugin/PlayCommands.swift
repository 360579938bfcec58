import AudioFiles
import PluginKit
import VoiceSessionsCore

/// `/voice play file:` and `/voice stop`, with autocomplete of the file names.
extension VoiceSessionsPlugin {
    func play(_ interaction: Interaction) async {
        guard let key = sessionKey(of: interaction) else { return }
        guard let directory = config.playback.directory else {
            answer(interaction, "/voice play is not set up on this bot: an operator sets playback.directory in plugins.json.")
            return
        }
        let name = interaction.option("file", as: String.self) ?? ""
        let file: (path: String, kind: PlaybackLibrary.Kind)
        do {
            file = try PlaybackLibrary(directory: directory).resolve(name, maxBytes: config.playback.maxFileBytes)
        } catch {
            answer(interaction, error.description)
            return
        }
        guard let session = book.session(key), session.isActive else {
            answer(interaction, "Files play in your voice session: start one with /voice join first.")
            return
        }
        book.recordActivity(key)
        let source: FrameSource
        do {
            source = try await Self.open(file.path, kind: file.kind)
        } catch {
            answer(interaction, "\(name) cannot be played: \(Self.reason(error))")
            return
        }
        guard book.session(key)?.isActive == true, !isStopping else {
            answer(interaction, "Your session ended before \(name) was ready.")
            return
        }
        startPlayback(FilePlayer(owner: key, name: name, source: source))
        answer(interaction, "Playing \(name) in <#\(session.voiceChannelID)>.", ephemeral: false)
    }

    func stopPlayback(_ interaction: Interaction) {
        guard let key = sessionKey(of: interaction) else { return }
        guard book.session(key)?.isActive == true else {
            answer(interaction, "You have no voice session in this server.")
            return
        }
        book.recordActivity(key)
        guard let player = players[key.guildID] else {
            answer(interaction, "Nothing is playing.")
            return
        }
        endPlayback(key.guildID, stopSending: true)
        answer(interaction, "Stopped \(player.name).", ephemeral: false)
    }

    func suggestFiles(_ interaction: Interaction) {
        guard let directory = config.playback.directory else {
            try? interaction.suggest([])
            return
        }
        let typed = (interaction.focusedOption?.value ?? "").lowercased()
        let names = PlaybackLibrary(directory: directory).available(limit: 1000)
            .filter { typed.isEmpty || $0.lowercased().contains(typed) }
        do {
            try interaction.suggest(names.prefix(25).map { AutocompleteChoice(name: $0, value: $0) })
        } catch {
            host.log.debug("could not offer file names: \(error)")
        }
    }

    /// Replaces whatever plays in the guild and starts pumping.
    private func startPlayback(_ player: FilePlayer) {
        let guild = player.owner.guildID
        if players[guild] != nil { endPlayback(guild, stopSending: true) }
        players[guild] = player
        do {
            player.pumpTimer = try host.timers.every(.milliseconds(100)) { self.pumpPlayback(guild) }
        } catch {
            host.log.warning("playback of \(player.name) has no refill timer (\(error)); it continues on drain events only")
        }
        pumpPlayback(guild)
    }

    /// Tops up the host's queue from the guild's playback.
    func pumpPlayback(_ guild: UInt64) {
        guard let player = players[guild] else { return }
        switch player.pump(host.voice) {
        case .playing:
            break
        case .queuedAll:
            player.pumpTimer?.cancel()
            player.pumpTimer = nil
        case .failed(let why):
            host.log.warning("playback of \(player.name) in guild \(guild) stopped: \(why)")
            endPlayback(guild, stopSending: true)
            if let session = book.session(player.owner) { notify(session, "Playback of \(player.name) stopped: \(why)") }
        }
    }

    /// The host sent every queued frame: the playback is done, or it needs more frames now.
    func sendQueueDrained(_ guild: UInt64) {
        guard let player = players[guild] else { return }
        guard player.hasQueuedAll else {
            pumpPlayback(guild)  // the queue ran dry before the file did: refill now
            return
        }
        host.log.info("played \(player.name) in guild \(guild) (\(player.framesSent) frames)")
        endPlayback(guild, stopSending: false)
    }

    func endPlayback(_ guild: UInt64, stopSending: Bool) {
        guard let player = players.removeValue(forKey: guild) else { return }
        player.stop()
        guard stopSending else { return }
        do {
            try host.voice.stopSending(guild: guild)
        } catch {
            host.log.warning("could not drop the queued frames of \(player.name) in guild \(guild): \(error)")
        }
    }

    /// Opens a file as frames: Ogg Opus is read as it plays; WAV is decoded whole, off the plugin's
    /// executor (a long file takes a while), then sent as PCM.
    private static func open(_ path: String, kind: PlaybackLibrary.Kind) async throws -> FrameSource {
        switch kind {
        case .oggOpus:
            return try OggOpusSource(path: path)
        case .wav:
            let audio = try await Task.detached { try WAVReader.read(path: path) }.value
            return PCMSource(audio: audio)
        }
    }

    private static func reason(_ error: any Error) -> String {
        (error as? PluginError)?.message ?? "\(error)"
    }
}
