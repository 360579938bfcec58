/// Hashes that are the same in every process and on every machine, unlike Swift's seeded `Hasher`,
/// so a hash stored before a restart still compares equal after it. `combine` is FNV-1a over
/// small inputs (nonces); `of` hashes rendered embeds.
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        value = hash
    }

    public mutating func combine(_ text: String) {
        combine(text.utf8)
        combine(CollectionOfOne(0xFF))  // a separator no UTF-8 text contains
    }

    /// The hash of a rendered embed: eight bytes a step (a byte-wise hash would take a good part
    /// of a poll's budget), each word mixed in with a multiply and the result avalanched. Fixed
    /// constants and little-endian reads: the same bytes hash the same everywhere. Never 0: stored
    /// records use 0 for "what the message shows is unknown".
    public static func of(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { of($0) }
    }

    public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // Two lanes, so that the multiplies of neighbouring words overlap.
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var other: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        while offset + 16 <= raw.count {
            let first = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            hash = (hash ^ first) &* 0x9FB2_1C65_1E98_DF25
            other = (other ^ second) &* 0x9FB2_1C65_1E98_DF25
            hash ^= hash >> 29
            other ^= other >> 29
            offset += 16
        }
        hash ^= other &* 0x94D0_49BB_1331_11EB
        if offset + 8 <= raw.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash = (hash ^ word) &* 0x9FB2_1C65_1E98_DF25
            hash ^= hash >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < raw.count {
            tail |= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = (hash ^ tail) &* 0x9FB2_1C65_1E98_DF25
        // splitmix64's finaliser.
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
        return hash == 0 ? 1 : hash
    }
}
