import BotHostCore

/// The two readers voice messages need beyond what the gateway's scanner offers: arrays
/// (modes, the secret key, user ids) and snowflakes, which Discord sends as strings.
extension JSONScanner {
    /// Walks the array at the current position; `visit` must consume exactly one element.
    package mutating func scanArray(_ visit: (inout JSONScanner) throws(JSONScanError) -> Void) throws(JSONScanError) {
        try expect(UInt8(ascii: "["), "'['")
        var closing = self
        if (try? closing.expect(UInt8(ascii: "]"), "']'")) != nil {
            self = closing
            return
        }
        while true {
            try visit(&self)
            var comma = self
            if (try? comma.expect(UInt8(ascii: ","), "','")) != nil {
                self = comma
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return
        }
    }

    /// A snowflake as a string of digits (Discord's form) or a plain non-negative integer.
    package mutating func readSnowflake() throws(JSONScanError) -> UInt64 {
        var asString = self
        if let text = try? asString.readString() {
            guard let value = UInt64(text) else { throw error("a snowflake") }
            self = asString
            return value
        }
        let value = try readInteger()
        guard value >= 0 else { throw error("a snowflake") }
        return UInt64(value)
    }

    package mutating func readStrings() throws(JSONScanError) -> [String] {
        var out: [String] = []
        try scanArray { (s) throws(JSONScanError) in out.append(try s.readString()) }
        return out
    }
}
