extension RandomTokens {
    /// A voice server token: 16 hex digits, the shape Discord's VOICE_SERVER_UPDATE tokens have.
    static func voiceToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(UInt8.random(in: 0..<16, using: &generator), radix: 16) }.joined()
    }
}
