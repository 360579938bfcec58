import BotHostCore
import PluginHost
import Logging

/// Routes `INTERACTION_CREATE` to the plugin that owns the command, and answers for the host
/// when there is none. The deadlines that keep Discord's 3-second promise for a slow plugin are
/// the session's (`InteractionSession.armDeadlines`, PluginHost); the router only picks them.
final class InteractionRouter: Sendable {
    private let runtime: HostRuntime
    private let responder: any InteractionResponder
    private let deadlines: InteractionDeadlines

    init(runtime: HostRuntime, responder: any InteractionResponder, deadlines: InteractionDeadlines = InteractionDeadlines()) {
        self.runtime = runtime
        self.responder = responder
        self.deadlines = deadlines
    }

    /// Handles an INTERACTION_CREATE: `interaction` is its decoded `d` (nil when that is not a
    /// valid interaction object), `data` the bytes the owning plugin receives.
    func route(_ interaction: ParsedInteraction?, json data: [UInt8]) {
        guard let interaction else {
            runtime.logger.warning("ignoring an INTERACTION_CREATE that is not a valid interaction object")
            return
        }
        guard let kind = InteractionKind(rawValue: UInt32(clamping: max(0, interaction.type))) else { return }  // 1 is PING (webhooks only)
        let invocation = CommandInvocation(interactionID: interaction.id, token: interaction.token, json: data,
                                           commandName: interaction.commandName ?? "", userID: interaction.userID,
                                           guildID: interaction.guildID, channelID: interaction.channelID,
                                           memberPermissions: interaction.permissions, kind: kind,
                                           customID: interaction.customID ?? "")
        do {
            try runtime.invokeCommand(invocation, responder: responder, deadlines: deadlines)
        } catch {
            runtime.logger.warning("\(invocation.label): \(error)")
            switch (kind, error) {
            case (.autocomplete, _): answer(interaction, .autocompleteResult, Array(#"{"choices":[]}"#.utf8))
            case (_, .pluginRestarting(let plugin)):
                reply(interaction, "The plugin \(plugin) is restarting after a crash; try again in a moment.")
            case (.component, .unownedComponent), (.modalSubmit, .unownedComponent):
                reply(interaction, "This control is not handled by any plugin.")
            default: reply(interaction, "This command is not available right now.")
            }
        }
    }

    private func answer(_ interaction: ParsedInteraction, _ kind: InteractionResponse.Kind, _ body: [UInt8], flags: UInt32 = 0) {
        let response = InteractionResponse(kind: kind, interactionID: interaction.id, token: interaction.token, messageJSON: body, flags: flags)
        let responder = self.responder
        Task { _ = await responder.respond(response) }
    }

    private func reply(_ interaction: ParsedInteraction, _ text: String) {
        answer(interaction, .reply, JSONValue.object(["content": .string(text)]).compactBytes, flags: 64)
    }
}
