import BotHostCore
import DiscordClient
import PluginAPI

extension HostAPI {
    package static func installDiscord(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.discord_request = apiDiscordRequest
    }
}

private func apiDiscordRequest(_ plugin: OpaquePointer?, _ method: bothost_str, _ path: bothost_str, _ body: bothost_bytes,
                               _ reason: bothost_str, _ fn: bothost_discord_fn?, _ userData: UnsafeMutableRawPointer?,
                               _ free: bothost_free_fn?, _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .http, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "discord_request needs a callback") }
        guard let client = instance.runtime.discord else {
            throw HostCallError(Status.unsupported, instance.runtime.noDiscordReason(for: "discord_request"))
        }
        // Copied and checked now: the plugin's memory is only valid during this call, and a bad
        // path or body is the plugin's bug, best reported at the call.
        let methodText = try method.string("method"), pathText = try path.string("path")
        let reasonText = try reason.string("audit_reason")
        if let refusal = HostOwnedRoutes.refusal(method: methodText, path: pathText,
                                                 applicationID: instance.runtime.applicationID) {
            throw HostCallError(Status.denied, refusal)
        }
        let request: DiscordRequest
        do throws(DiscordRESTError) {
            request = try client.prepare(methodText, pathText, json: body.len == 0 ? nil : body.array, reason: reasonText)
        } catch {
            throw HostCallError(Status.invalidArgument, error.description)
        }
        let handle = registration.handle
        let queued = client.queue(request)  // in call order: a plugin's messages to a channel stay in order
        let task = Task {
            let outcome: Result<DiscordResponse, DiscordRESTError>
            do throws(DiscordRESTError) {
                outcome = .success(try await client.send(request, queued: queued))
            } catch {
                outcome = .failure(error)
            }
            guard let taken = instance.take(handle) else { return }
            instance.complete(taken) { deliverDiscord(outcome, fn: fn, userData: taken.userData, handle: handle) }
        }
        let box = UnsafeSendable(registration.userData)
        registration.teardown = { why in
            task.cancel()
            if case .unregistered = why {
                instance.executor.submit {
                    guard instance.acceptsCallbacks else { return }
                    deliverDiscord(.failure(.cancelled), fn: fn, userData: box.value, handle: handle)
                }
            }
        }
    }
}

/// Calls the plugin with Discord's answer, or with a status and `{"error": "…"}` when none came.
private func deliverDiscord(_ outcome: Result<DiscordResponse, DiscordRESTError>, fn: bothost_discord_fn,
                            userData: UnsafeMutableRawPointer?, handle: UInt64) {
    switch outcome {
    case .success(let response):
        withCBytes(response.body) { fn(userData, handle, Status.ok, UInt32(clamping: response.status), $0) }
    case .failure(let error):
        let detail: JSONValue = ["error": .string(error == .cancelled ? "cancelled" : error.description)]
        withCBytes(Array(detail.compactText.utf8)) { fn(userData, handle, discordStatus(error), 0, $0) }
    }
}

private func discordStatus(_ error: DiscordRESTError) -> bothost_status {
    switch error {
    case .timeout: Status.timeout
    case .transport, .refusedByGuard: Status.io
    case .cancelled, .shutdown: Status.cancelled
    case .invalidRoute, .invalidRequest: Status.invalidArgument
    case .invalidConfiguration: Status.unsupported
    }
}

/// Discord routes the host owns: interaction responses (a plugin answers its own interactions
/// through the interaction calls, and must not answer another plugin's) and the application's
/// command set (synced by the host from every plugin's registrations; a plugin that wrote it
/// would replace everyone's commands).
package enum HostOwnedRoutes {
    /// Base64 of "interaction:": how every interaction token begins.
    private static let interactionTokenPrefix = "aW50ZXJhY3Rpb246"

    /// Why a plugin may not send this request, or nil when it may.
    package static func refusal(method: String, path: String, applicationID: UInt64) -> String? {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let segments = route.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let verb = method.uppercased()
        if segments.first == "interactions" {
            return "interaction callbacks are the host's: answer your own interactions with interaction_reply, interaction_defer or interaction_respond"
        }
        if segments.first == "webhooks", segments.count >= 3 {
            let isApplication = applicationID != 0 && segments[1] == String(applicationID)
            if isApplication || segments[2].hasPrefix(interactionTokenPrefix) {
                return "interaction webhooks (follow-ups, @original) are the host's: use interaction_followup and interaction_edit for your own interactions"
            }
        }
        if verb != "GET", segments.first == "applications", segments.contains("commands") {
            return "the bot's slash commands are synced by the host from every plugin's command_register: a plugin cannot write them through discord_request"
        }
        return nil
    }
}
