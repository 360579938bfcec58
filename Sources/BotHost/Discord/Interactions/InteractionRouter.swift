import Foundation
import Logging

/// Routes `INTERACTION_CREATE` to the plugin that owns the command, and keeps Discord's 3-second
/// promise for it: if the plugin has not answered after `autoDeferMs`, the host defers so the token
/// survives; if it still says nothing, the user gets an error instead of silence.
final class InteractionRouter: Sendable {
    private let runtime: HostRuntime
    private let responder: any InteractionResponder
    private let autoDeferMs: UInt64
    private let silenceMs: UInt64

    init(runtime: HostRuntime, responder: any InteractionResponder, autoDeferMs: UInt64 = 2500, silenceMs: UInt64 = 15_000) {
        self.runtime = runtime
        self.responder = responder
        self.autoDeferMs = autoDeferMs
        self.silenceMs = silenceMs
    }

    /// Handles the raw `d` of an INTERACTION_CREATE dispatch.
    func route(_ data: [UInt8]) {
        guard let interaction = ParsedInteraction(data) else {
            runtime.logger.warning("ignoring an INTERACTION_CREATE that is not a valid interaction object")
            return
        }
        guard interaction.type == 2, let name = interaction.commandName else {
            // Components and autocomplete are not routed yet: answer so the user is not left hanging.
            if interaction.type == 3 || interaction.type == 5 {
                reply(interaction, "This control is not handled by any plugin.")
            }
            return
        }
        let invocation = CommandInvocation(interactionID: interaction.id, token: interaction.token, json: data,
                                           commandName: name, userID: interaction.userID, guildID: interaction.guildID,
                                           channelID: interaction.channelID, memberPermissions: interaction.permissions)
        let handle: UInt64
        do {
            handle = try runtime.invokeCommand(invocation, responder: responder)
        } catch {
            runtime.logger.warning("/\(name): \(error)")
            reply(interaction, "This command is not available right now.")
            return
        }
        let commands = runtime.commands, responder = self.responder, logger = runtime.logger, silenceMs = self.silenceMs
        runtime.scheduler.schedule(afterNs: autoDeferMs * 1_000_000) { [runtime] in
            guard let session = commands.deferIfUnanswered(handle) else { return }
            logger.info("/\(name): the plugin did not answer within 2.5 s; deferring for it")
            Task {
                _ = await responder.respond(InteractionResponse(kind: .deferred, interactionID: interaction.id, token: interaction.token,
                                                                messageJSON: [], flags: 64))
            }
            runtime.scheduler.schedule(afterNs: silenceMs * 1_000_000) {
                guard !commands.isAnswered(handle) else { return }
                logger.warning("/\(name): the plugin never answered; telling the user")
                Task {
                    _ = await responder.respond(InteractionResponse(kind: .editOriginal, interactionID: interaction.id, token: session.token,
                                                                    messageJSON: Array(#"{"content":"Sorry, that command did not answer."}"#.utf8), flags: 0))
                }
            }
        }
    }

    private func reply(_ interaction: ParsedInteraction, _ text: String) {
        let message = (try? JSONSerialization.data(withJSONObject: ["content": text])).map(Array.init) ?? []
        let responder = self.responder
        Task {
            _ = await responder.respond(InteractionResponse(kind: .reply, interactionID: interaction.id, token: interaction.token,
                                                            messageJSON: message, flags: 64))
        }
    }
}

/// The fields of an interaction the router needs (the plugin gets the whole object).
struct ParsedInteraction: Sendable {
    let id: UInt64
    let token: String
    let type: Int
    let commandName: String?
    let guildID: UInt64
    let channelID: UInt64
    let userID: UInt64
    let permissions: UInt64

    init?(_ data: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any],
              let id = Self.snowflake(object["id"]), let token = object["token"] as? String, let type = object["type"] as? Int else {
            return nil
        }
        self.id = id
        self.token = token
        self.type = type
        let payload = object["data"] as? [String: Any]
        commandName = payload?["name"] as? String
        guildID = Self.snowflake(object["guild_id"]) ?? 0
        channelID = Self.snowflake(object["channel_id"]) ?? Self.snowflake((object["channel"] as? [String: Any])?["id"]) ?? 0
        let member = object["member"] as? [String: Any]
        let user = (member?["user"] as? [String: Any]) ?? (object["user"] as? [String: Any])
        userID = Self.snowflake(user?["id"]) ?? 0
        permissions = Self.snowflake(member?["permissions"]) ?? 0
    }

    static func snowflake(_ value: Any?) -> UInt64? {
        if let text = value as? String { return UInt64(text) }
        if let number = value as? NSNumber { return number.uint64Value }
        return nil
    }
}
