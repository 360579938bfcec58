/// The plugin's `"config"` object from plugins.json, as JSON text.
public struct PluginConfig: Sendable {
    public let json: String
    public init(json: String) { self.json = json }

    /// Decodes the config; errors name the offending key ("config: missing \"greeting\" at …").
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decode(T.self, from: Array(json.utf8), what: "config")
    }

    /// Reads the config with the plugin's own parser (one that names the field it refuses). Whatever
    /// the parser throws becomes `PluginError(.invalidArgument, "config: <its text>")`, the refusal
    /// operators see from `init(host:)` and from `configChanged`.
    public func parse<T>(_ parser: ([UInt8]) throws -> T) throws(PluginError) -> T {
        do {
            return try parser(Array(json.utf8))
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError(.invalidArgument, "config: \(error)")
        }
    }
}

extension PluginHost {
    /// The current config (host->config_get; "{}" when plugins.json has none).
    public func config() throws -> PluginConfig {
        let configGet = try table.require(\.config_get, "config_get")
        var buffer = bothost_buffer()
        try check(configGet(plugin, &buffer), "config_get")
        defer { release(buffer) }
        return PluginConfig(json: String(decoding: bytes(of: buffer), as: UTF8.self))
    }

    /// The current config decoded as `T`. Throw from `init(host:)` to refuse a bad config.
    public func config<T: Decodable>(as type: T.Type) throws -> T {
        try config().decode(T.self)
    }

    /// The raw config JSON.
    public var configJSON: String {
        get throws { try config().json }
    }

    /// A copy of a host-filled buffer's bytes.
    func bytes(of buffer: bothost_buffer) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: buffer.len))
    }

    /// Returns a host-filled buffer to the host (host->free; the only memory that changes hands).
    func release(_ buffer: bothost_buffer) {
        guard let pointer = buffer.ptr, table.has(\.free), let free = table.api.free else { return }
        free(pointer)
    }
}
