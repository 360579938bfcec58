import Synchronization

/// Which REST client serves the plugins of which runtime.
///
/// A stop-gap: once `HostRuntime` carries the client itself (`public let discord: DiscordREST?`,
/// set at init), `HostAPI+Discord.swift` reads `instance.runtime.discord` and this type goes away.
/// Until then whoever starts a runtime with a Discord connection attaches the client here.
public enum DiscordRESTRegistry {
    private struct Entry {
        weak var runtime: HostRuntime?
        let client: DiscordREST
    }

    private static let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// Makes `client` the one `runtime`'s plugins reach through discord_request.
    public static func attach(_ client: DiscordREST, to runtime: HostRuntime) {
        entries.withLock { table in
            table = table.filter { $0.value.runtime != nil }  // drop entries of runtimes that are gone
            table[ObjectIdentifier(runtime)] = Entry(runtime: runtime, client: client)
        }
    }

    public static func detach(from runtime: HostRuntime) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(runtime)) }
    }

    /// The client attached to `runtime`, if any. Checks identity, as an identifier can be reused
    /// once its runtime is gone.
    public static func client(for runtime: HostRuntime) -> DiscordREST? {
        entries.withLock { table in
            guard let entry = table[ObjectIdentifier(runtime)], entry.runtime === runtime else { return nil }
            return entry.client
        }
    }
}
