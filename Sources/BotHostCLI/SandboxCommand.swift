import ArgumentParser
import BotHost
import DiscordEmulator
import Foundation

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the bot against a local Discord (no account, no network): a guild, #general, a voice channel and you.",
        discussion: """
            Type a message to post it in #general, or a slash command to invoke it. Once the bot is in the \
            voice channel, `!speak HZ [SECONDS]` (e.g. `!speak 440`) makes you join that channel and speak a \
            tone of HZ hertz for SECONDS seconds (default 2), so voice plugins can be tried without a microphone.
            """
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Do not read from standard input.")
    var noConsole = false

    @Flag(name: .long, help: "Stop when standard input ends (for scripted demos and tests).")
    var exitOnEOF = false

    func run() async throws {
        var configuration = EmulatorConfiguration()
        // The simulated user owns the sandbox bot, so admin commands can be tried.
        let host = try HostBootstrap(locations: locations, extraOwners: [3000])
        configuration.privilegedIntentsAllowed = ~0  // the sandbox grants every intent a plugin asks for
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let lobbyFeed = await SandboxLobbyFeed.start()  // the simulated games plugins.json's gamesessions follows
        say("Local Discord on \(emulator.apiBaseURL) — you are sandbox-user in #general of \"Sandbox\".")
        say("Type a message, or a slash command such as /count add:5. 'help' lists console commands.")
        // The simulated user sits in the voice channel, as a person would before asking for /voice join.
        emulator.userJoinsVoice(channelID: 2002, userID: 3000)
        say("With the bot in voice, '!speak 440' makes you speak a 440 Hz tone there for 2 s ('!speak HZ SECONDS').")
        let settings = DiscordSettings(token: DiscordToken(configuration.token), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [configuration.guilds.first?.id ?? 2000])
        let channel = SandboxChannel(emulator: emulator, runtime: host.runtime)
        let watcher = Task { await channel.watch() }
        defer { watcher.cancel() }
        let speaker = Task { await SandboxSpeech(emulator: emulator).watch() }
        defer { speaker.cancel() }
        do {
            try await host.serve(discord: settings, console: noConsole ? nil : .sandbox(channel), exitOnEOF: exitOnEOF)
        } catch {
            await lobbyFeed?.stop()
            await emulator.shutdown()
            throw error
        }
        channel.printChanges()
        await lobbyFeed?.stop()
        await emulator.shutdown()
    }
}

/// `!speak HZ [SECONDS]` posted by the simulated user: they join the bot's voice channel and
/// speak a tone there, so voice plugins can be tried without a microphone.
struct SandboxSpeech: Sendable {
    let emulator: DiscordEmulator
    var guildID: UInt64 = 2000
    var channelID: UInt64 = 2001
    var userID: UInt64 = 3000

    /// Watches #general for the user's `!speak` lines until cancelled.
    func watch() async {
        var seen = Set(emulator.messages(in: channelID).map(\.id))
        while !Task.isCancelled {
            for message in emulator.messages(in: channelID) where !seen.contains(message.id) {
                seen.insert(message.id)
                guard message.authorID == userID, let request = Self.parse(message.content) else { continue }
                await speak(frequency: request.frequency, seconds: request.seconds)
            }
            try? await Task.sleep(for: .milliseconds(150))
        }
    }

    /// `!speak 440` or `!speak 440 3`: 20–20 000 Hz, up to 30 s (2 s when left out).
    static func parse(_ content: String) -> (frequency: Double, seconds: Double)? {
        let words = content.split(separator: " ")
        guard words.first == "!speak", (2...3).contains(words.count), let frequency = Double(words[1]),
              (20...20_000).contains(frequency) else { return nil }
        let seconds = words.count == 3 ? Double(words[2]) : 2
        guard let seconds, seconds > 0, seconds <= 30 else { return nil }
        return (frequency, seconds)
    }

    private func speak(frequency: Double, seconds: Double) async {
        guard let session = emulator.currentVoiceSession(guildID: guildID) else {
            say("!speak: the bot is not in a voice channel; have it join one first.")
            return
        }
        if emulator.voiceChannels(guildID: guildID)[userID] != session.channelID {
            emulator.userJoinsVoice(channelID: session.channelID, userID: userID)
        }
        do {
            let durationMs = Int((seconds * 1000).rounded())
            try await emulator.userSpeaks(userID: userID, guildID: guildID, audio: .tone(frequency: frequency, durationMs: durationMs))
            say("• you spoke a \(Int(frequency)) Hz tone for \(seconds) s in the bot's voice channel")
            // What your own Discord client would show, to compare with the bot's /voice status.
            if let code = emulator.currentVoiceSession(guildID: guildID)?.dave?.simulatedMembers[userID]?.privacyCode {
                say("• the call is end-to-end encrypted; your client shows voice privacy code \(VoiceEndToEndStatus.grouped(code))")
            }
        } catch {
            say("!speak: \(error)")
        }
    }
}

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run the local Discord on its own, for another bot or tool to connect to."
    )

    @Option(name: .long, help: "Port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Flag(name: .long, help: """
        Be driven by another process: the first stdout line is a JSON object with the URLs, then each \
        JSON request line on stdin (faults, simulated users, recorded state; see EmulatorControl) \
        gets one JSON answer line. The emulator stops when stdin closes.
        """)
    var control = false

    func run() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start(port: port)
        guard control else {
            say("""
                Local Discord running.
                  DISCORD_API_URL=\(emulator.apiBaseURL)
                  DISCORD_GATEWAY_URL=\(emulator.gatewayURL)
                  DISCORD_TOKEN=\(EmulatorConfiguration().token)   (the emulator's own test token, not a secret)
                Ctrl-C to stop.
                """)
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
            return
        }
        await EmulatorControlLoop(control: EmulatorControl(emulator)).run()
        await emulator.shutdown()
    }
}
