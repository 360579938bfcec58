import BotHost
import DiscordEmulator
import Foundation
import Synchronization

/// The sandbox's view of Discord: what the simulated user types goes to the local Discord as a
/// real message or slash command, and what the bot posts in the channel is printed as it appears.
final class SandboxChannel: Sendable {
    let emulator: DiscordEmulator
    let runtime: HostRuntime
    let guildID: UInt64
    let channelID: UInt64
    let userID: UInt64
    /// Message id → edit count already shown.
    private let shown = Mutex<[UInt64: Int]>([:])
    /// Whether the bot's gateway session is live, and who waits for it to be.
    private let connection = Mutex<(live: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// Follows the host's shard news (ready, lost) for as long as the channel lives.
    private let gatewayWatch = Mutex<Task<Void, Never>?>(nil)

    init(emulator: DiscordEmulator, runtime: HostRuntime, guildID: UInt64 = 2000, channelID: UInt64 = 2001, userID: UInt64 = 3000) {
        self.emulator = emulator
        self.runtime = runtime
        self.guildID = guildID
        self.channelID = channelID
        self.userID = userID
        // Discord delivers an interaction or a message only to a connected bot: what the user types
        // before the bot is connected would vanish, so typing waits for the host's own ready event.
        let lifecycle = runtime.events.stream()
        gatewayWatch.withLock { $0 = Task { [weak self] in
            for await event in lifecycle {
                switch event {
                case .shardReady: self?.gatewayChanged(live: true)
                case .shardLost: self?.gatewayChanged(live: false)
                default: continue
                }
            }
        } }
    }

    deinit { gatewayWatch.withLock { $0?.cancel() } }

    private func gatewayChanged(live: Bool) {
        let waiters = connection.withLock { state in
            state.live = live
            guard live else { return [CheckedContinuation<Void, Never>]() }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once the bot's gateway session is live (at once when it is).
    private func botConnected() async {
        guard !connection.withLock({ $0.live }) else { return }
        say("(waiting for the bot to connect to the local Discord…)")
        await withCheckedContinuation { continuation in
            let live = connection.withLock { state in
                if !state.live { state.waiters.append(continuation) }
                return state.live
            }
            if live { continuation.resume() }
        }
    }

    /// A line from the simulated user: `/command …` is a slash command, anything else a message.
    /// It waits until the bot is connected, as a user would wait for the bot to come online.
    func userTyped(_ line: String) async {
        await botConnected()
        guard line.hasPrefix("/") else {
            emulator.userSendsMessage(channelID: channelID, content: line, userID: userID)
            return
        }
        do {
            // Type the options with the command's own definition, as Discord's client would.
            let invocation = try LocalInvocation.parse(line, definitions: runtime.commands.definitions, userID: userID,
                                                       guildID: guildID, channelID: channelID)
            emulator.userInvokesCommand(name: invocation.commandName, options: Self.options(of: invocation.json),
                                        guildID: guildID, channelID: channelID, userID: userID)
        } catch {
            say("error: \(error.description)")  // parse throws only ParseError (typed throws)
        }
    }

    /// Prints the channel's new and edited messages until cancelled.
    func watch() async {
        while !Task.isCancelled {
            printChanges()
            try? await Task.sleep(for: .milliseconds(150))
        }
    }

    func printChanges() {
        for message in emulator.messages(in: channelID) {
            let seen = shown.withLock { $0[message.id] }
            guard seen != message.editCount else { continue }
            shown.withLock { $0[message.id] = message.editCount }
            let author = message.authorID == userID ? "you" : "bot"
            let note = (seen == nil ? "" : " (edited)") + (message.flags & 64 != 0 ? " (only you can see this)" : "")
            say(MessageRenderer.render(Array(message.json.utf8), author: author + note))
        }
    }

    private static func options(of interactionJSON: [UInt8]) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(interactionJSON))) as? [String: Any],
              let data = object["data"] as? [String: Any], let options = data["options"],
              let encoded = try? JSONSerialization.data(withJSONObject: options) else { return "[]" }
        return String(decoding: encoded, as: UTF8.self)
    }
}
