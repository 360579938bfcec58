/// An embed ready to send, and the stable hash of its bytes: what a person sees, in 8 bytes.
public struct RenderedPost: Sendable, Equatable {
    public let embed: [UInt8]
    public let hash: UInt64

    /// `embed`: the embed object's JSON (from `SessionEmbed` or `SummaryEmbed`).
    public init(json embed: [UInt8]) {
        self.embed = embed
        hash = StableHash.of(embed)
    }

    /// The body of `POST /channels/{id}/messages`. The nonce with `enforce_nonce` makes Discord
    /// return the message an earlier create with the same nonce made (within a few minutes)
    /// instead of posting a second one: a create retried after a crash cannot duplicate.
    public func createBody(nonce: String) -> [UInt8] {
        var writer = JSONWriter(capacity: embed.count + 96)
        writer.raw("{\"embeds\":[")
        writer.raw(embed)
        writer.raw("],\"nonce\":")
        writer.string(nonce)
        writer.raw(",\"enforce_nonce\":true,\"allowed_mentions\":{\"parse\":[]}}")
        return writer.bytes
    }

    /// The body of `PATCH /channels/{id}/messages/{id}`.
    public func editBody() -> [UInt8] {
        var writer = JSONWriter(capacity: embed.count + 16)
        writer.raw("{\"embeds\":[")
        writer.raw(embed)
        writer.raw("]}")
        return writer.bytes
    }
}
