import BotHostCore

/// How an operator is shown one plugin's state: the one text line (the console's `plugins`, `bothost
/// plugins list` against a running host) and the JSON the control socket sends. Every state shows
/// up in both through here, so a new `PluginStatus.State` case is added once.
extension PluginStatus {
    /// One line: a mark, the name, and what the plugin is doing (with why, when it is not running).
    public var line: String {
        switch state {
        case .running:
            "✔ \(name) \(version ?? "") — running\(processID.map { " in process \($0)" } ?? ""), \(registrations) registration(s), "
                + "\(overruns) overrun(s), \(droppedEvents) dropped event(s)"
        case .disabled:
            "– \(name) — disabled"
        case .refused(let refusal):
            "✘ \(name) — refused: \(refusal.cause). Fix: \(refusal.fix)"
        case .restarting(let cause, let crashes):
            "↻ \(name) — restarting after crash \(crashes): \(cause)"
        case .crashed(let reason):
            "✘ \(name) — stopped: \(reason)"
        }
    }

    /// A short word for the state, for tools reading the JSON.
    public var stateName: String {
        switch state {
        case .running: "running"
        case .disabled: "disabled"
        case .refused: "refused"
        case .restarting: "restarting"
        case .crashed: "crashed"
        }
    }

    /// The status as a JSON object; `line` is the rendering above, so a client prints what the
    /// host's console would.
    public var json: JSONValue {
        var object: JSONObject = [
            "name": .string(name),
            "state": .string(stateName),
            "library": .string(library),
            "registrations": .number(JSONNumber(registrations)),
            "overruns": .number(JSONNumber(overruns)),
            "droppedEvents": .number(JSONNumber(droppedEvents)),
            "line": .string(line),
        ]
        if let version { object["version"] = .string(version) }
        if let processID { object["processID"] = .number(JSONNumber(Int(processID))) }
        if case .refused(let refusal) = state {
            object["refusal"] = ["kind": .string(refusal.kind.rawValue), "file": .string(refusal.file),
                                 "cause": .string(refusal.cause), "fix": .string(refusal.fix)]
        }
        return .object(object)
    }
}
