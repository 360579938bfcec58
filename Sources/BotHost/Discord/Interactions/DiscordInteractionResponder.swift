import BotHostCore
import DiscordClient
import PluginHost
import Synchronization

/// Sends plugins' interaction responses to Discord: the initial callback, follow-ups and edits
/// through the interaction webhook (`/webhooks/{application}/{token}`).
final class DiscordInteractionResponder: InteractionResponder {
    private let rest: DiscordREST
    private let applicationID = Mutex<UInt64>(0)

    init(rest: DiscordREST) { self.rest = rest }

    /// Learned from READY; the webhook routes need it.
    func setApplicationID(_ id: UInt64) { applicationID.withLock { $0 = id } }

    func respond(_ response: InteractionResponse) async -> Result<[UInt8], InteractionResponseError> {
        let app = applicationID.withLock { $0 }
        let webhook = "/webhooks/\(app)/\(response.token)"
        switch response.kind {
        case .reply, .updateMessage:
            return await callback(response, data: response.messageJSON)
        case .deferred, .deferredUpdate:
            return await callback(response, data: nil)
        case .autocompleteResult, .modal:
            // Choices and modals are not messages: no flags to merge.
            return await callback(response, data: response.messageJSON, flags: 0)
        case .followUp:
            return await send("POST", webhook + "?wait=true", InteractionJSON.message(response.messageJSON, flags: response.flags))
        case .editOriginal:
            return await send("PATCH", webhook + "/messages/@original", response.messageJSON)
        case .replyAfterHostDefer:
            // The host deferred ephemerally. An ephemeral reply replaces the "thinking" message; a
            // public one must not be hidden, so it goes out as a follow-up and the placeholder goes.
            if response.isEphemeral {
                return await send("PATCH", webhook + "/messages/@original", response.messageJSON)
            }
            let result = await send("POST", webhook + "?wait=true", InteractionJSON.message(response.messageJSON, flags: response.flags))
            if case .success = result { _ = await send("DELETE", webhook + "/messages/@original", nil) }
            return result
        }
    }

    /// POST /interactions/{id}/{token}/callback with `{"type": T, "data": …}`.
    private func callback(_ response: InteractionResponse, data: [UInt8]?, flags: UInt32? = nil) async -> Result<[UInt8], InteractionResponseError> {
        guard let type = response.callbackType else {
            return .failure(InteractionResponseError(status: Status.internalError, message: "\(response.kind) is not an interaction callback"))
        }
        return await send("POST", "/interactions/\(response.interactionID)/\(response.token)/callback",
                          InteractionJSON.callback(type: type, message: data, flags: flags ?? response.flags))
    }

    private func send(_ method: String, _ path: String, _ body: [UInt8]?) async -> Result<[UInt8], InteractionResponseError> {
        do {
            let answer = try await rest.send(method, path, json: body)
            guard (200..<300).contains(answer.status) else {
                return .failure(InteractionResponseError(status: Status.io, message: "Discord answered \(answer.status): \(String(decoding: answer.body.prefix(2000), as: UTF8.self))"))
            }
            return .success(answer.body)
        } catch {
            return .failure(InteractionResponseError(status: Status.io, message: "\(error)"))
        }
    }
}

/// The JSON bodies of interaction callbacks and webhook messages.
enum InteractionJSON {
    /// `{"type": T, "data": message-with-flags}`.
    static func callback(type: Int, message: [UInt8]?, flags: UInt32) -> [UInt8] {
        let data = message.map { self.message($0, flags: flags) } ?? Array((flags == 0 ? "{}" : #"{"flags":\#(flags)}"#).utf8)
        return Array(#"{"type":\#(type),"data":"#.utf8) + data + Array("}".utf8)
    }

    /// The plugin's message object with `flags` merged in (the plugin's own flags are kept).
    static func message(_ json: [UInt8], flags: UInt32) -> [UInt8] {
        guard flags != 0, case .object(var object)? = try? JSONValue.parse(json) else { return json }
        object["flags"] = .number(JSONNumber((object["flags"]?.int64Value ?? 0) | Int64(flags)))
        return JSONValue.object(object).compactBytes
    }
}
