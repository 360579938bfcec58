import BotHostCore

/// The fields of an interaction the router needs (the plugin gets the whole object).
struct ParsedInteraction: Sendable {
    let id: UInt64
    let token: String
    let type: Int64
    let commandName: String?
    let customID: String?
    let guildID: UInt64
    let channelID: UInt64
    let userID: UInt64
    let permissions: UInt64

    /// nil unless `data` is an object with an `id`, a `token` and a `type`.
    init?(_ data: [UInt8]) {
        guard let object = (try? JSONValue.parse(data))?.objectValue else { return nil }
        self.init(object)
    }

    /// nil unless the object has an `id`, a `token` and a `type`; the other fields are read where
    /// present and usable (0 or nil otherwise).
    init?(_ object: JSONObject) {
        guard let id = object["id"]?.uint64Value, let token = object["token"]?.stringValue,
              let type = object["type"]?.int64Value else {
            return nil
        }
        self.id = id
        self.token = token
        self.type = type
        let payload = object["data"]
        commandName = payload?["name"]?.stringValue
        customID = payload?["custom_id"]?.stringValue
        guildID = object["guild_id"]?.uint64Value ?? 0
        channelID = object["channel_id"]?.uint64Value ?? object["channel"]?["id"]?.uint64Value ?? 0
        let member = object["member"]
        userID = (member?["user"]?["id"] ?? object["user"]?["id"])?.uint64Value ?? 0
        permissions = member?["permissions"]?.uint64Value ?? 0
    }
}
