import MLS

/// One sender's media keys in one epoch: the MLS hash ratchet (RFC 9420 §9.1) started from the
/// sender's base secret, MLS-Exporter("Discord Secure Frames v0", sender id little-endian, 16).
/// Generation g's key is ExpandWithLabel(secret_g, "key", g, 16); the next secret is
/// ExpandWithLabel(secret_g, "secret", g, 32). Only the key is used: frames carry their nonce.
///
/// A value; the frame encryptor and decryptor each keep their own copy under their lock.
public struct DAVEKeyRatchet: Sendable {
    /// The MLS exporter label of the per-sender base secret.
    public static let exporterLabel = "Discord Secure Frames v0"
    /// Bytes of the base secret and of each AES-128-GCM key.
    public static let keyLength = 16

    let suite: CipherSuite
    /// The secret of `nextGeneration`; generations below it are derived or erased.
    private var nextSecret: [UInt8]
    private var nextGeneration: UInt32 = 0
    /// Keys derived and not erased, by generation.
    private var keys: [UInt32: [UInt8]] = [:]
    /// Generations below this were erased: their keys can no longer be had.
    private(set) var erasedBelow: UInt32 = 0

    /// A ratchet from a base secret (normally from `baseSecret(group:userID:)`).
    public init(baseSecret: [UInt8], suite: CipherSuite = .mls128DHKEMP256AES128GCMSHA256P256) {
        self.suite = suite
        self.nextSecret = baseSecret
    }

    /// A sender's base secret in `group`'s current epoch.
    public static func baseSecret(group: Group, userID: UInt64) -> [UInt8] {
        group.export(label: exporterLabel, context: littleEndian(userID), length: keyLength)
    }

    /// The key of `generation`, ratcheting forward as needed. Throws `expiredGeneration` for an
    /// erased one.
    public mutating func key(for generation: UInt32) throws -> [UInt8] {
        guard generation >= erasedBelow else { throw DAVEError.expiredGeneration(generation) }
        if let key = keys[generation] { return key }
        guard generation >= nextGeneration else { throw DAVEError.expiredGeneration(generation) }
        while nextGeneration <= generation {
            let current = nextGeneration
            keys[current] = suite.deriveTreeSecret(secret: nextSecret, label: "key", generation: current, length: Self.keyLength)
            nextSecret = suite.deriveTreeSecret(secret: nextSecret, label: "secret", generation: current, length: suite.hashLength)
            nextGeneration = current &+ 1
            if nextGeneration == 0 { break }  // 2^32 generations: nothing further exists
        }
        guard let key = keys[generation] else { throw DAVEError.expiredGeneration(generation) }
        return key
    }

    /// Erases every generation below `generation` (forward secrecy within an epoch).
    public mutating func erase(below generation: UInt32) {
        guard generation > erasedBelow else { return }
        // Generations never derived are ratcheted past, so their secrets are gone as well.
        if nextGeneration < generation { _ = try? key(for: generation - 1) }
        keys = keys.filter { $0.key >= generation }
        erasedBelow = generation
    }

    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}
