import BotHostCore
import DiscordClient
import PluginHost
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
        let label = kind.isComponent ? "component \"\(invocation.customID)\"" : "/\(invocation.commandName)"
        let handle: UInt64
        do {
            handle = try runtime.invokeCommand(invocation, responder: responder)
        } catch {
            runtime.logger.warning("\(label): \(error)")
            switch (kind, error) {
            case (.autocomplete, _): answer(interaction, .autocompleteResult, Array(#"{"choices":[]}"#.utf8))
            case (.component, .unownedComponent), (.modalSubmit, .unownedComponent):
                reply(interaction, "This control is not handled by any plugin.")
            default: reply(interaction, "This command is not available right now.")
            }
            return
        }
        let commands = runtime.commands, logger = runtime.logger, silenceMs = self.silenceMs
        runtime.scheduler.schedule(afterNs: autoDeferMs * 1_000_000) { [runtime, weak self] in
            guard let self, let session = commands.deferIfUnanswered(handle) else { return }
            logger.info("\(label): the plugin did not answer within 2.5 s; acknowledging for it")
            switch kind {
            case .autocomplete:
                // Autocomplete cannot be deferred: no choices beats Discord's "loading failed".
                commands.markAnswered(handle)
                answer(interaction, .autocompleteResult, Array(#"{"choices":[]}"#.utf8))
                return
            case .component, .modalSubmit:
                answer(interaction, .deferredUpdate, [])  // keeps the message as it is, no placeholder
            case .command:
                answer(interaction, .deferred, [], flags: 64)
            }
            runtime.scheduler.schedule(afterNs: silenceMs * 1_000_000) { [weak self] in
                guard let self, !commands.isAnswered(handle) else { return }
                logger.warning("\(label): the plugin never answered; telling the user")
                let sorry = Array(#"{"content":"Sorry, that did not answer."}"#.utf8)
                if kind == .command {
                    self.send(InteractionResponse(kind: .editOriginal, interactionID: interaction.id, token: session.token, messageJSON: sorry, flags: 0))
                } else {
                    self.send(InteractionResponse(kind: .followUp, interactionID: interaction.id, token: session.token, messageJSON: sorry, flags: 64))
                }
            }
        }
    }

    private func answer(_ interaction: ParsedInteraction, _ kind: InteractionResponse.Kind, _ body: [UInt8], flags: UInt32 = 0) {
        send(InteractionResponse(kind: kind, interactionID: interaction.id, token: interaction.token, messageJSON: body, flags: flags))
    }

    private func send(_ response: InteractionResponse) {
        let responder = self.responder
        Task { _ = await responder.respond(response) }
    }

    private func reply(_ interaction: ParsedInteraction, _ text: String) {
        answer(interaction, .reply, JSONValue.object(["content": .string(text)]).compactBytes, flags: 64)
    }
}
