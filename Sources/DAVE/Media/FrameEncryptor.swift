import Synchronization

/// Encrypts our own outgoing frames with our sender key of the current epoch (or passes them
/// through when DAVE is off or the first group is not ready yet).
///
/// Thread contract: `Sendable`, all state behind one `Mutex`. The voice send path calls
/// `encrypt` on its own thread while the gateway's thread (via `DAVESession`) swaps the key at
/// execute_transition; the lock is held only for the counter and key lookup of one frame.
public final class DAVEFrameEncryptor: Sendable {
    private struct State {
        var ratchet: DAVEKeyRatchet?
        var passthrough = true
        /// Frames sent with the current ratchet; the truncated nonce is its low 32 bits and the
        /// key generation its bits 24 and up, so generations keep counting when the nonce wraps.
        var counter: UInt64 = 0
        var cipher: (generation: UInt32, cipher: FrameCipher)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether frames currently go out unencrypted.
    public var isPassthrough: Bool { state.withLock { $0.passthrough } }

    /// Starts sending with `ratchet` (our key in a new epoch): the nonce restarts, and passthrough
    /// ends. `nil` means no key: frames are refused until one is set, unless passthrough is on.
    public func setKeyRatchet(_ ratchet: DAVEKeyRatchet?) {
        state.withLock { state in
            state.ratchet = ratchet
            state.counter = 0
            state.cipher = nil
            if ratchet != nil { state.passthrough = false }
        }
    }

    /// Sends frames unencrypted (protocol version 0, or before the first group).
    public func setPassthrough(_ passthrough: Bool) {
        state.withLock { $0.passthrough = passthrough }
    }

    /// Encrypts one Opus frame (fully encrypted: no unencrypted ranges) into `output`, replacing
    /// its contents. The silence frame F8 FF FE passes through as receivers expect it.
    public func encrypt(_ frame: UnsafeRawBufferPointer, into output: inout [UInt8]) throws {
        try encrypt(frame, unencryptedRanges: [], into: &output)
    }

    /// `encrypt(_:into:)` for an array.
    public func encrypt(_ frame: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        try frame.withUnsafeBytes { try encrypt($0, into: &output) }
        return output
    }

    /// Encrypts a frame leaving `unencryptedRanges` (ascending, disjoint, inside the frame) in
    /// the clear and authenticated: what codecs whose packetiser reads headers need.
    func encrypt(_ frame: UnsafeRawBufferPointer, unencryptedRanges: [Range<Int>], into output: inout [UInt8]) throws {
        output.removeAll(keepingCapacity: true)
        if ProtocolFrame.isOpusSilence(frame) {
            output.append(contentsOf: frame)
            return
        }
        let next: (cipher: FrameCipher, nonce: UInt32)? = try state.withLock { state in
            if state.passthrough { return nil }
            guard state.ratchet != nil else { throw DAVEError.missingKey }
            state.counter &+= 1
            let generation = UInt32(truncatingIfNeeded: state.counter >> 24)
            if state.cipher?.generation != generation {
                guard let key = try state.ratchet?.key(for: generation) else { throw DAVEError.missingKey }
                state.ratchet?.erase(below: generation)
                state.cipher = (generation, FrameCipher(key: key))
            }
            guard let cipher = state.cipher?.cipher else { throw DAVEError.missingKey }
            return (cipher, UInt32(truncatingIfNeeded: state.counter))
        }
        guard let (cipher, nonce) = next else {
            output.append(contentsOf: frame)
            return
        }
        var plaintext: [UInt8] = []
        var aad: [UInt8] = []
        var position = 0
        for range in unencryptedRanges {
            plaintext.append(contentsOf: frame[position..<range.lowerBound])
            aad.append(contentsOf: frame[range])
            position = range.upperBound
        }
        plaintext.append(contentsOf: frame[position...])
        let sealed = try cipher.seal(plaintext, nonce: nonce, aad: aad)
        // Interleave: unencrypted ranges in place, ciphertext in the gaps, in order.
        var taken = 0
        position = 0
        for range in unencryptedRanges {
            let gap = range.lowerBound - position
            output.append(contentsOf: sealed.ciphertext[taken..<taken + gap])
            taken += gap
            output.append(contentsOf: frame[range])
            position = range.upperBound
        }
        output.append(contentsOf: sealed.ciphertext[taken...])
        try ProtocolFrame.appendFooter(tag: sealed.tag, nonce: nonce, ranges: unencryptedRanges, to: &output)
    }
}
