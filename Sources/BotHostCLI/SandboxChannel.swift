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

    init(emulator: DiscordEmulator, runtime: HostRuntime, guildID: UInt64 = 2000, channelID: UInt64 = 2001, userID: UInt64 = 3000) {
        self.emulator = emulator
        self.runtime = runtime
        self.guildID = guildID
        self.channelID = channelID
        self.userID = userID
    }

    /// A line from the simulated user: `/command …` is a slash command, anything else a message.
    func userTyped(_ line: String) async {
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
