/// What a channel's moderators do to the bot's messages.
extension DiscordEmulator {
    /// A moderator deletes a message (any author's): it is gone, later requests for it answer
    /// 404 Unknown Message (10008), and MESSAGE_DELETE is dispatched. False when there is no such
    /// message. Not a REST request of the application, so nothing is recorded in `requests`.
    @discardableResult
    public func moderatorDeletesMessage(channelID: UInt64, messageID: UInt64) -> Bool {
        (try? rest.deleteMessage(channelID, messageID)) != nil
    }
}
