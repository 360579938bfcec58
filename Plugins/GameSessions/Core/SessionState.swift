/// Where a session is in its life, as far as people deciding to join care.
public enum SessionState: Sendable, Hashable, Codable {
    /// In the lobby, waiting for players (OpenRA state 1, the seed's "Pregame").
    case waiting
    /// The game is running (OpenRA state 2, the seed's "InGame").
    case playing
    /// A state the feed names but the plugin does not know; shown as the feed wrote it.
    case other(String)
    /// The feed gave no state.
    case unknown

    /// The name used in config filters and bus events.
    public var kind: Kind {
        switch self {
        case .waiting: .waiting
        case .playing: .playing
        case .other, .unknown: .other
        }
    }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case waiting, playing, other
    }

    /// How a person reads it.
    public var label: String {
        switch self {
        case .waiting: "Waiting for players"
        case .playing: "In game"
        case .other(let text): text
        case .unknown: "Unknown state"
        }
    }

    // Stored as one string: "waiting", "playing", "other:<text>" or "unknown".
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch text {
        case "waiting": self = .waiting
        case "playing": self = .playing
        case "unknown": self = .unknown
        default: self = text.hasPrefix("other:") ? .other(String(text.dropFirst(6))) : .other(text)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .waiting: try container.encode("waiting")
        case .playing: try container.encode("playing")
        case .unknown: try container.encode("unknown")
        case .other(let text): try container.encode("other:" + text)
        }
    }
}
