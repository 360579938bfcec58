/// Channel changes made with /sessions watch and unwatch, kept per source in storage so that they
/// outlive restarts; the config's own channel stays what plugins.json says.
public struct WatchList: Sendable, Equatable, Codable {
    /// Channels added to the source.
    public var added: [UInt64] = []
    /// Channels taken from it, including possibly the configured one.
    public var removed: [UInt64] = []

    public init(added: [UInt64] = [], removed: [UInt64] = []) {
        self.added = added
        self.removed = removed
    }

    /// The channels a source posts in: the configured one and the added ones, minus the removed.
    public func channels(configured: UInt64?) -> [UInt64] {
        var result: [UInt64] = []
        for channel in [configured].compactMap({ $0 }) + added where !removed.contains(channel) && !result.contains(channel) {
            result.append(channel)
        }
        return result
    }

    public mutating func watch(_ channel: UInt64) {
        removed.removeAll { $0 == channel }
        if !added.contains(channel) { added.append(channel) }
    }

    public mutating func unwatch(_ channel: UInt64) {
        added.removeAll { $0 == channel }
        if !removed.contains(channel) { removed.append(channel) }
    }
}
