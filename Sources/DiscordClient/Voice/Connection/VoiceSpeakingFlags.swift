import BotHostCore

/// Op 5's `speaking` bits. Send a non-empty set before the first audio packet, and the empty set
/// when the audio stops.
public struct VoiceSpeakingFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let microphone = VoiceSpeakingFlags(rawValue: 1 << 0)
    public static let soundshare = VoiceSpeakingFlags(rawValue: 1 << 1)
    public static let priority = VoiceSpeakingFlags(rawValue: 1 << 2)
}
