/// What the operator is told after asking for a restart or reload (the console, `bothost plugins
/// reload`): one wording for every way of asking.
extension PluginManager.RestartOutcome {
    /// `verb`: what the operator asked for ("restarted", "reloaded").
    public func message(plugin name: String, verb: String) -> String {
        switch self {
        case .restarted: "\(verb) \(name)"
        case .refused(let refusal): "\(name) stopped, but its start was refused: \(refusal.description)"
        case .notConfigured: "no enabled plugin named \(name) in plugins.json"
        }
    }
}
