/// Discord ids: 64-bit numbers written as strings of digits.
public enum Snowflake {
    /// The id in `text` (digits only, no sign, not 0), or nil. Leading zeros are accepted and
    /// dropped, so `String(value)` is the canonical spelling.
    public static func parse(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let value = UInt64(text), value > 0 else { return nil }
        return value
    }
}
