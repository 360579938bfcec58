import BotHostCore
import Foundation
import Logging
import PluginAPI

/// The C function table handed to every plugin. Each entry resolves the `bothost_plugin *` to its
/// instance, validates arguments, does the work or queues it, and reports failures through a status
/// code plus `last_error`. Areas live in the HostAPI+*.swift files.
package enum HostAPI {
    /// Built once, never freed: plugins keep the pointer for the life of the process.
    package nonisolated(unsafe) static let table: UnsafePointer<bothost_host_api> = {
        let table = UnsafeMutablePointer<bothost_host_api>.allocate(capacity: 1)
        table.initialize(to: bothost_host_api())
        table.pointee.struct_size = UInt32(MemoryLayout<bothost_host_api>.size)
        table.pointee.abi_major = UInt32(BOTHOST_ABI_MAJOR)
        table.pointee.abi_minor = UInt32(BOTHOST_ABI_MINOR)
        table.pointee.host_version = UnsafePointer(strdup(HostVersion.current))
        table.pointee.last_error = { LastError.current() }
        table.pointee.free = { pointer in Foundation.free(pointer) }
        table.pointee.log = apiLog
        table.pointee.unregister = apiUnregister
        table.pointee.post = apiPost
        installTimers(table)
        installBus(table)
        installCommands(table)
        installStorage(table)
        installHTTP(table)
        installDiscord(table)
        installVoice(table)
        installJSON(table)
        table.pointee.cleanup_register = apiCleanupRegister
        return UnsafePointer(table)
    }()
}

// MARK: shared plumbing

/// Runs a host call for a live plugin; maps thrown errors to a status and `last_error`.
@inline(__always)
package func hostCall(_ plugin: OpaquePointer?, _ body: (PluginInstance) throws(HostCallError) -> Void) -> bothost_status {
    guard let instance = PluginRef.instance(plugin), instance.acceptsCalls else {
        LastError.set("this plugin has been stopped")
        return Status.stopped
    }
    do {
        try body(instance)
        return Status.ok
    } catch {
        logIfDenied(instance, error)
        LastError.set(error.detail)
        return error.status
    }
}

/// A call refused because the name is not the plugin's is worth the operator's eye: it is a
/// mistake in the plugin or an attempt on another one.
private func logIfDenied(_ instance: PluginInstance, _ error: HostCallError) {
    guard error.status == Status.denied else { return }
    instance.refusals.warning("denied", "plugin \(instance.name): refused (BOTHOST_E_DENIED): \(error.detail)")
}

/// Runs a registering host call: records a registration (so user_data is freed exactly once
/// whatever happens — including when this call fails) and writes the handle out.
package func hostRegister(_ plugin: OpaquePointer?, _ kind: Registration.Kind, _ userData: UnsafeMutableRawPointer?,
                  _ free: bothost_free_fn?, _ out: UnsafeMutablePointer<bothost_handle>?,
                  _ setup: (PluginInstance, Registration) throws(HostCallError) -> Void) -> bothost_status {
    guard let instance = PluginRef.instance(plugin) else {
        // The plugin is gone; there is no executor left, so free on the caller's thread.
        free?(userData)
        LastError.set("this plugin has been stopped")
        return Status.stopped
    }
    let registration = Registration(kind: kind, userData: userData, free: free)
    do {
        try instance.add(registration)
    } catch {
        instance.scheduleFree(userData, free)
        LastError.set(error.detail)
        return error.status
    }
    do {
        try setup(instance, registration)
    } catch {
        logIfDenied(instance, error)
        instance.end(registration.handle, .completed)
        LastError.set(error.detail)
        return error.status
    }
    out?.pointee = registration.handle
    return Status.ok
}

private func apiLog(_ plugin: OpaquePointer?, _ level: bothost_log_level, _ message: bothost_str) {
    guard let instance = PluginRef.instance(plugin) else { return }
    // A plugin's line stays one line: no forged host lines, no terminal escape sequences.
    let text = ControlCharacters.escaped(String(decoding: message.bytes, as: UTF8.self))
    let logLevel: Logger.Level = switch Int(level) {
    case Int(BOTHOST_LOG_TRACE): .trace
    case Int(BOTHOST_LOG_DEBUG): .debug
    case Int(BOTHOST_LOG_INFO): .info
    case Int(BOTHOST_LOG_WARNING): .warning
    default: .error
    }
    instance.logger.log(level: logLevel, "\(text)")
}

private func apiUnregister(_ plugin: OpaquePointer?, _ handle: bothost_handle) -> bothost_status {
    guard let instance = PluginRef.instance(plugin) else {
        // Everything the plugin held ended when it stopped.
        return Status.ok
    }
    if instance.end(handle, .unregistered) { return Status.ok }
    if handle == 0 || handle >= HandleAllocator.peekNext {
        LastError.set("handle \(handle) was never issued")
        return Status.notFound
    }
    return Status.ok
}

private func apiPost(_ plugin: OpaquePointer?, _ fn: bothost_task_fn?, _ userData: UnsafeMutableRawPointer?) -> bothost_status {
    hostCall(plugin) { instance throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "post needs a function") }
        let box = UnsafeSendable(userData)
        // An accepted post always runs (the ABI promises it), so nothing it owns is stranded.
        instance.executor.submit { fn(box.value) }
    }
}

private func apiCleanupRegister(_ plugin: OpaquePointer?, _ fn: bothost_cleanup_fn?, _ userData: UnsafeMutableRawPointer?,
                                _ free: bothost_free_fn?, _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .cleanupHook, userData, free, out) { _, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "cleanup_register needs a function") }
        // Run only when the plugin stops; unregistering removes the hook without running it.
        let box = UnsafeSendable(userData)
        registration.teardown = { why in
            if case .pluginStopped = why { fn(box.value) }
        }
    }
}
