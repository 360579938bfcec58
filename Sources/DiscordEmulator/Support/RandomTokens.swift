/// Opaque identifiers handed to clients: session ids and interaction tokens. Their shape follows
/// Discord's (hex session ids, long URL-safe tokens) so clients that log or store them behave
/// as they would in production.
enum RandomTokens {
    private static let urlSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func sessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(UInt8.random(in: 0..<16, using: &generator), radix: 16) }.joined()
    }

    static func interactionToken(interactionID: UInt64) -> String {
        var generator = SystemRandomNumberGenerator()
        let tail = (0..<150).map { _ in urlSafe[Int.random(in: 0..<urlSafe.count, using: &generator)] }
        // Real tokens start with base64("interaction:") followed by the id, then random text.
        return "aW50ZXJhY3Rpb246\(interactionID)O" + String(decoding: tail, as: UTF8.self)
    }
}
