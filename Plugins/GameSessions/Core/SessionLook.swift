/// Colours and symbols for session states.
public enum SessionLook {
    public static let waitingColor = 0x57F287  // green: open, join now
    public static let playingColor = 0xFEE75C  // yellow: running
    public static let otherColor = 0x99AAB5  // grey
    public static let endedColor = 0xED4245  // red
    public static let stoppedColor = 0x4F545C  // dark grey: no longer followed here
    public static let summaryColor = 0x5865F2  // blurple

    public static func color(of state: SessionState) -> Int {
        switch state {
        case .waiting: waitingColor
        case .playing: playingColor
        case .other, .unknown: otherColor
        }
    }

    public static func symbol(of state: SessionState) -> String {
        switch state {
        case .waiting: "🟢"
        case .playing: "⚔️"
        case .other, .unknown: "⚪"
        }
    }

    /// The coloured circle nearest to an OpenRA player colour ("FF0000" → 🔴), "•" without one.
    public static func dot(forHex hex: String?) -> String {
        guard let hex, let value = rgb(hex) else { return "•" }
        let (r, g, b) = (Int(value >> 16), Int(value >> 8 & 0xFF), Int(value & 0xFF))
        // The palette written out: this runs for every player of every rendered lobby.
        func distance(_ pr: Int, _ pg: Int, _ pb: Int) -> Int { (pr - r) * (pr - r) + (pg - g) * (pg - g) + (pb - b) * (pb - b) }
        var best = "🔴"
        var bestDistance = distance(221, 46, 68)
        func consider(_ symbol: String, _ d: Int) {
            if d < bestDistance {
                best = symbol
                bestDistance = d
            }
        }
        consider("🟠", distance(244, 144, 12))
        consider("🟡", distance(253, 203, 88))
        consider("🟢", distance(120, 177, 89))
        consider("🔵", distance(85, 172, 238))
        consider("🟣", distance(170, 142, 214))
        consider("🟤", distance(193, 105, 79))
        consider("⚫", distance(49, 55, 61))
        consider("⚪", distance(230, 231, 232))
        return best
    }

    /// Six hex digits, without a String parse per player.
    private static func rgb(_ hex: String) -> UInt32? {
        // Read from the string's own UTF-8 when it has it (native strings do): iterating the
        // UTF-8 view of a small string decodes it afresh for every byte.
        hex.utf8.withContiguousStorageIfAvailable(rgb) ?? rgb(hex.utf8)
    }

    private static func rgb(_ hex: some Sequence<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var count = 0
        for byte in hex {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            count += 1
            if count > 6 { return nil }
        }
        return count == 6 ? value : nil
    }
}
