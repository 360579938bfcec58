/// Discord's displayable codes ("Displayable Codes" in the protocol): groups of decimal digits
/// from consecutive bytes, each group the big-endian integer of `groupSize` bytes modulo
/// 10^groupSize, zero-padded.
public enum DisplayableCode {
    /// The code of `length` digits from `data`, in groups of `groupSize` (< 8 so a group fits 64 bits).
    public static func make(_ data: [UInt8], length: Int, groupSize: Int) throws -> String {
        guard groupSize > 0, groupSize < 8 else { throw DAVEError.invalidCodeParameters("group size \(groupSize) must be 1...7") }
        guard length >= 0, length % groupSize == 0 else {
            throw DAVEError.invalidCodeParameters("length \(length) must be a multiple of the group size \(groupSize)")
        }
        guard data.count >= length else { throw DAVEError.invalidCodeParameters("\(data.count) bytes for a \(length)-digit code") }
        var modulus: UInt64 = 1
        for _ in 0..<groupSize { modulus *= 10 }
        var code = ""
        code.reserveCapacity(length)
        for start in stride(from: 0, to: length, by: groupSize) {
            let value = data[start..<start + groupSize].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % modulus
            let digits = String(value)
            code += String(repeating: "0", count: groupSize - digits.count) + digits
        }
        return code
    }

    /// The voice privacy code clients show for a call: 30 digits in groups of 5 from the MLS
    /// epoch authenticator.
    public static func voicePrivacyCode(epochAuthenticator: [UInt8]) throws -> String {
        try make(epochAuthenticator, length: 30, groupSize: 5)
    }
}
