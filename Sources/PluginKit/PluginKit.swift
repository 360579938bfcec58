// PluginKit — the Swift SDK over the BotHost plugin ABI (Sources/PluginAPI/include/bothost_plugin.h).
//
// A Swift plugin is an `actor` conforming to `Plugin`, plus a one-line exported entry point:
//
//     @_cdecl("bothost_plugin_entry")
//     public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
//         PluginExport.entry(Greeter.self, api)
//     }
//
// How the ABI's rules map onto Swift:
//
// * One serial executor. The host runs every callback of a plugin one at a time on its own
//   executor. PluginKit makes that executor the plugin actor's executor (`PluginExecutor`): jobs of
//   Tasks the plugin spawns are handed to the host with `host->post`, and every callback from the host
//   enters the actor's isolation (`assumeIsolated`), so handlers are ordinary actor-isolated closures.
// * Registrations. Timers, bus subscriptions and services, commands, requests, HTTP calls and cleanup
//   hooks return a `Registration` (the host handle + `cancel()`). Closures travel to the host as
//   `Unmanaged` boxes retained once and released exactly once, in the user_data_free the host calls.
// * Errors. Host status codes become a thrown `PluginError` (code + `host->last_error()` text).
//   Nothing unwinds into the host: trampolines catch what plugin code throws and log it.
// * Memory. What the host passes is copied into Swift values before the callback returns; host
//   buffers are released with `host->free`. No Swift type ever crosses the boundary; every plugin
//   .so links its own copy of PluginKit.
// * Versions. Table slots are read with the size checks of BOTHOST_API_HAS; a slot the host lacks
//   throws `PluginError` with code `.unsupported` instead of crashing.
//
// The C declarations are re-exported so the entry point can name them without a second import.
@_exported import PluginAPI
