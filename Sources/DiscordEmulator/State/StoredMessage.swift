/// A message in a channel, with what Discord tracks about it beyond its JSON.
struct StoredMessage: Sendable {
    var id: UInt64
    var channelID: UInt64
    var guildID: UInt64?
    var author: EmulatedUser
    var type = 0
    var content = ""
    var embeds: [WireJSON] = []
    var components: [WireJSON] = []
    var flags = 0
    var tts = false
    var nonce: WireJSON?
    var mentionIDs: [UInt64] = []
    var referencedMessageID: UInt64?
    var createdAtMs: Int64
    var editedAtMs: Int64?
    var editCount = 0
    /// When edits happened while the message was older than an hour (error 30046 budget).
    var agedEditTimesMs: [Int64] = []
    var webhookID: UInt64?
    var applicationID: UInt64?
    var interactionID: UInt64?
    var interactionMetadata: WireJSON?

    var isEmpty: Bool { content.isEmpty && embeds.isEmpty && components.isEmpty }
}

/// Messages per channel in creation order, plus the nonce index for `enforce_nonce`.
struct MessageStore: Sendable {
    /// How long a nonce dedupes ("the past few minutes").
    static let nonceWindowMs: Int64 = 5 * 60 * 1000

    private(set) var byChannel: [UInt64: [StoredMessage]] = [:]
    private var nonces: [String: (messageID: UInt64, atMs: Int64)] = [:]

    func messages(in channelID: UInt64) -> [StoredMessage] { byChannel[channelID] ?? [] }

    func message(_ id: UInt64, in channelID: UInt64) -> StoredMessage? {
        byChannel[channelID]?.first { $0.id == id }
    }

    mutating func insert(_ message: StoredMessage) {
        byChannel[message.channelID, default: []].append(message)
    }

    mutating func update(_ message: StoredMessage) {
        guard let index = byChannel[message.channelID]?.firstIndex(where: { $0.id == message.id }) else { return }
        byChannel[message.channelID]?[index] = message
    }

    @discardableResult
    mutating func remove(_ id: UInt64, in channelID: UInt64) -> Bool {
        guard let index = byChannel[channelID]?.firstIndex(where: { $0.id == id }) else { return false }
        byChannel[channelID]?.remove(at: index)
        return true
    }

    /// The message an earlier create with the same nonce produced, if still within the window.
    func messageForNonce(_ nonce: String, channelID: UInt64, nowMs: Int64) -> StoredMessage? {
        guard let entry = nonces["\(channelID):\(nonce)"], nowMs - entry.atMs <= Self.nonceWindowMs else { return nil }
        return message(entry.messageID, in: channelID)
    }

    mutating func rememberNonce(_ nonce: String, channelID: UInt64, messageID: UInt64, nowMs: Int64) {
        nonces = nonces.filter { nowMs - $0.value.atMs <= Self.nonceWindowMs }
        nonces["\(channelID):\(nonce)"] = (messageID, nowMs)
    }
}
