import Foundation

// The descriptor's lifecycle functions. Each enters the plugin's executor marker, catches whatever the
// plugin throws and turns it into a status plus reason: nothing unwinds into the host.

/// The live plugin behind the descriptor's `state` pointer: retained in init, released in stop.
final class PluginInstance {
    let host: PluginHost
    let start: () throws -> Void
    let stop: () -> Void
    let configChanged: (PluginConfig) throws -> Bool

    /// Creates the plugin actor and binds the calls into its isolation (the generic type is known here).
    init<P: Plugin>(_ type: P.Type, host: PluginHost) throws {
        let plugin = try P(host: host)
        guard sameExecutor(plugin.unownedExecutor, host.executor.asUnownedSerialExecutor()) else {
            throw PluginError(.internalError, "\(P.self) declares its own unownedExecutor; remove it — "
                + "PluginKit supplies the host's executor, and every callback depends on it")
        }
        host.isolation = plugin
        self.host = host
        start = { try plugin.assumeIsolated { try $0.start() } }
        stop = { plugin.assumeIsolated { $0.stop() } }
        configChanged = { config in try plugin.assumeIsolated { try $0.configChanged(config) } }
    }

    static func from(_ state: UnsafeMutableRawPointer?) -> PluginInstance? {
        state.map { Unmanaged<PluginInstance>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Executors are the same when their references are (UnownedSerialExecutor is not Equatable).
private func sameExecutor(_ a: UnownedSerialExecutor, _ b: UnownedSerialExecutor) -> Bool {
    withUnsafeBytes(of: a) { a in withUnsafeBytes(of: b) { b in a.elementsEqual(b) } }
}

func pluginInit(_ plugin: OpaquePointer?, _ outState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                _ outReason: UnsafeMutablePointer<bothost_str>?) -> bothost_status {
    let (api, type) = LibraryState.shared.withLock { ($0.api, $0.pluginType) }
    guard let plugin, let outState, let api, let type else {
        return refuse(outReason, .internalError, "PluginKit: init was called before bothost_plugin_entry")
    }
    guard api.pointee.abi_major == UInt32(BOTHOST_ABI_MAJOR) else {
        return refuse(outReason, .unsupported, "built for BotHost ABI \(BOTHOST_ABI_MAJOR).x, host has \(api.pointee.abi_major).x")
    }
    let host = PluginHost(plugin: plugin, api: api)
    let result = CallbackMarker.with(host.executor) { Result { try PluginInstance(type, host: host) } }
    switch result {
    case .success(let instance):
        outState.pointee = Unmanaged.passRetained(instance).toOpaque()
        return StatusCode.ok.rawValue
    case .failure(let error):
        return refuse(outReason, error, "init")
    }
}

func pluginStart(_ plugin: OpaquePointer?, _ state: UnsafeMutableRawPointer?,
                 _ outReason: UnsafeMutablePointer<bothost_str>?) -> bothost_status {
    guard let instance = PluginInstance.from(state) else {
        return refuse(outReason, .internalError, "PluginKit: start was called without a plugin state")
    }
    let result = CallbackMarker.with(instance.host.executor) { Result { try instance.start() } }
    if case .failure(let error) = result { return refuse(outReason, error, "start") }
    return StatusCode.ok.rawValue
}

func pluginStop(_ plugin: OpaquePointer?, _ state: UnsafeMutableRawPointer?) {
    guard let state else { return }
    // Balances the retain in init. The actor itself lives on while registrations still hold it.
    let instance = Unmanaged<PluginInstance>.fromOpaque(state).takeRetainedValue()
    CallbackMarker.with(instance.host.executor) { instance.stop() }
}

func pluginConfigChanged(_ plugin: OpaquePointer?, _ state: UnsafeMutableRawPointer?,
                         _ json: bothost_str) -> bothost_status {
    guard let instance = PluginInstance.from(state) else { return StatusCode.internalError.rawValue }
    let config = PluginConfig(json: String(json))
    let result = CallbackMarker.with(instance.host.executor) { Result { try instance.configChanged(config) } }
    switch result {
    case .success(true):
        return StatusCode.ok.rawValue
    case .success(false):
        // Asks the host to restart the plugin with the new config.
        return StatusCode.unsupported.rawValue
    case .failure(let error):
        // A refused config: the plugin runs on as it was. The reason goes to the log (the ABI's
        // config_changed has no reason out-parameter); the host names the file and the entry.
        instance.host.log.error("new config refused, the previous one stays in force: \(describe(error))")
        return StatusCode.invalidArgument.rawValue
    }
}

/// Reports a thrown error as the refusal reason, with its code when it is a plugin-range PluginError.
private func refuse(_ outReason: UnsafeMutablePointer<bothost_str>?, _ error: any Error, _ phase: String) -> bothost_status {
    let code = (error as? PluginError)?.code ?? .plugin
    return refuse(outReason, code == .ok ? .plugin : code, describe(error))
}

/// Sets `*outReason` to `text` in memory that outlives the return (the host copies it then).
private func refuse(_ outReason: UnsafeMutablePointer<bothost_str>?, _ code: StatusCode, _ text: String) -> bothost_status {
    let reason = LibraryState.shared.withLock { state -> bothost_str in
        free(state.reason)
        state.reason = strdup(text)
        return bothost_str(ptr: state.reason.map { UnsafePointer($0) }, len: state.reason == nil ? 0 : text.utf8.count)
    }
    outReason?.pointee = reason
    return code.rawValue
}
