import BotHostCore
import PluginHost

/// The host's side of the control protocol (`ControlRequest`): each request answered from the
/// plugin manager, each reply one JSON object with `ok` and a `message` for a person.
public struct ControlAnswers: Sendable {
    let manager: PluginManager

    public init(manager: PluginManager) {
        self.manager = manager
    }

    /// The reply to one request line.
    public func answer(line: [UInt8]) async -> JSONValue {
        switch ControlRequest.parse(line) {
        case .failure(let malformed): Self.error(malformed.description)
        case .success(let request): await answer(request)
        }
    }

    public func answer(_ request: ControlRequest) async -> JSONValue {
        switch request {
        case .list:
            let statuses = await manager.statuses()
            let text = statuses.isEmpty ? "No plugins configured." : statuses.map { "  " + $0.line }.joined(separator: "\n")
            return ["ok": true, "plugins": .array(statuses.map(\.json)), "message": .string(text)]
        case .reload(let plugin):
            let outcome = await manager.restart(plugin, reason: "reloaded by the operator")
            var reply: JSONObject = ["plugin": .string(plugin), "message": .string(outcome.message(plugin: plugin, verb: "reloaded"))]
            switch outcome {
            case .restarted:
                reply["ok"] = true
                reply["outcome"] = "reloaded"
                if let status = await manager.statuses().first(where: { $0.name == plugin }) { reply["status"] = status.json }
            case .refused(let refusal):
                reply["ok"] = false
                reply["outcome"] = "refused"
                reply["error"] = .string(refusal.description)
            case .notConfigured:
                reply["ok"] = false
                reply["outcome"] = "notConfigured"
                reply["error"] = .string(outcome.message(plugin: plugin, verb: "reloaded"))
            }
            return .object(reply)
        }
    }

    /// A reply refusing a request, with the reason.
    static func error(_ text: String) -> JSONValue {
        ["ok": false, "error": .string(text), "message": .string("error: \(text)")]
    }
}
