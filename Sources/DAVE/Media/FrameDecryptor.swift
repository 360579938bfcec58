import Synchronization

/// What a frame carries, for the one rule that differs: audio's silence frame passes through.
public enum DAVEMediaType: Sendable {
    case audio
    case video
}

/// Decrypts one remote sender's frames with that sender's keys of the epochs kept: the newest
/// first, then older ones until they expire (10 s after the transition away from them), so frames
/// in flight across a transition still open.
///
/// Thread contract: `Sendable`, all state behind one `Mutex`. The voice receive path calls
/// `decrypt` on its own thread while the gateway's thread (via `DAVESession`) installs new
/// epochs' keys and passthrough windows.
public final class DAVEFrameDecryptor: Sendable {
    /// How long keys of a replaced epoch, and of generations older than the newest used, are kept.
    public static let keyRetention: Duration = .seconds(10)
    /// Generations further ahead of the newest seen than this are refused (a forged or corrupted
    /// nonce must not make us ratchet thousands of times).
    public static let maximumGenerationGap: UInt32 = 250
    /// Nonces skipped over that a late frame may still use, per epoch.
    public static let maximumMissingNonces = 1000

    private let clock: DAVEClock
    private let state: Mutex<State>

    private struct State {
        var epochs: [EpochKeys] = []
        /// Unencrypted frames are accepted until this time (nil: never; `.max`-like: always).
        var passthroughUntil: Duration?
    }

    /// Keys of one sender in one epoch, with the replay window.
    fileprivate struct EpochKeys {
        var ratchet: DAVEKeyRatchet
        /// When these keys stop being tried (nil while they are the newest epoch's).
        var expiry: Duration?
        /// Ciphers by (unwrapped) generation, with the time each expires once a newer one is used.
        var ciphers: [UInt32: (cipher: FrameCipher, expiry: Duration?)] = [:]
        var oldestGeneration: UInt32 = 0
        var newestGeneration: UInt32 = 0
        /// The newest (generation << 24 | low nonce bits) opened, and the skipped ones still allowed.
        var newestNonce: UInt64?
        var missingNonces: [UInt64] = []
    }

    /// A decryptor that passes unencrypted frames through until told otherwise (media before the
    /// first group is unencrypted).
    public init(clock: DAVEClock = .system) {
        self.clock = clock
        self.state = Mutex(State(passthroughUntil: Duration.seconds(Int64.max)))
    }

    /// Adds the sender's keys of a new epoch (tried first from now on); older epochs' keys are
    /// kept for `keyRetention`. `nil` only retires the current keys (the sender left the group).
    public func transition(to ratchet: DAVEKeyRatchet?) {
        let now = clock.now()
        state.withLock { state in
            for index in state.epochs.indices {
                state.epochs[index].expiry = min(state.epochs[index].expiry ?? now + Self.keyRetention, now + Self.keyRetention)
            }
            if let ratchet { state.epochs.append(EpochKeys(ratchet: ratchet)) }
        }
    }

    /// Whether unencrypted frames are accepted: on at once (a downgrade is coming), off after
    /// `keyRetention` (frames sent before the upgrade may still arrive).
    public func setPassthrough(_ allowed: Bool) {
        let now = clock.now()
        state.withLock { state in
            if allowed {
                state.passthroughUntil = Duration.seconds(Int64.max)
            } else {
                state.passthroughUntil = min(state.passthroughUntil ?? now, now + Self.keyRetention)
            }
        }
    }

    /// Decrypts one frame into `output`, replacing its contents.
    public func decrypt(_ frame: UnsafeRawBufferPointer, mediaType: DAVEMediaType = .audio, into output: inout [UInt8]) throws {
        output.removeAll(keepingCapacity: true)
        if mediaType == .audio && ProtocolFrame.isOpusSilence(frame) {
            output.append(contentsOf: frame)
            return
        }
        let now = clock.now()
        guard let parsed = ProtocolFrame.parse(frame) else {
            let passthrough = state.withLock { state in state.passthroughUntil.map { now <= $0 } ?? false }
            guard passthrough else { throw DAVEError.unencryptedFrame }
            output.append(contentsOf: frame)
            return
        }
        // The encrypted bytes and the additional data (the unencrypted ranges, joined).
        var ciphertext: [UInt8] = []
        var aad: [UInt8] = []
        ciphertext.reserveCapacity(parsed.mediaLength)
        var position = 0
        for range in parsed.unencryptedRanges {
            ciphertext.append(contentsOf: frame[position..<range.lowerBound])
            aad.append(contentsOf: frame[range])
            position = range.upperBound
        }
        ciphertext.append(contentsOf: frame[position..<parsed.mediaLength])
        let tag = Array(frame[parsed.tagOffset..<parsed.tagOffset + ProtocolFrame.tagLength])

        let plaintext = try state.withLock { state -> [UInt8] in
            state.epochs.removeAll { epoch in epoch.expiry.map { $0 < now } ?? false }
            guard !state.epochs.isEmpty else { throw DAVEError.missingKey }
            var failure = DAVEError.authenticationFailed
            for index in state.epochs.indices.reversed() {
                do {
                    return try state.epochs[index].open(ciphertext, tag: tag, nonce: parsed.truncatedNonce, aad: aad, now: now)
                } catch let error as DAVEError {
                    // The newest epoch's reason is the one worth reporting.
                    if index == state.epochs.count - 1 { failure = error }
                }
            }
            throw failure
        }
        // Reassemble: unencrypted ranges in place, plaintext in the gaps.
        var taken = 0
        position = 0
        for range in parsed.unencryptedRanges {
            let gap = range.lowerBound - position
            output.append(contentsOf: plaintext[taken..<taken + gap])
            taken += gap
            output.append(contentsOf: frame[range])
            position = range.upperBound
        }
        output.append(contentsOf: plaintext[taken...])
    }

    /// `decrypt(_:mediaType:into:)` for an array.
    public func decrypt(_ frame: [UInt8], mediaType: DAVEMediaType = .audio) throws -> [UInt8] {
        var output: [UInt8] = []
        try frame.withUnsafeBytes { try decrypt($0, mediaType: mediaType, into: &output) }
        return output
    }
}

extension DAVEFrameDecryptor.EpochKeys {
    /// Opens a frame with this epoch's keys, enforcing the replay window and generation bounds.
    fileprivate mutating func open(_ ciphertext: [UInt8], tag: [UInt8], nonce: UInt32, aad: [UInt8],
                                   now: Duration) throws -> [UInt8] {
        dropExpiredGenerations(now: now)
        // The nonce's top byte is the generation modulo 256: take the first at or above the oldest kept.
        let wrapped = UInt32(nonce >> 24)
        var generation = (oldestGeneration & ~0xFF) | wrapped
        if generation < oldestGeneration { generation &+= 0x100 }
        guard generation <= newestGeneration &+ DAVEFrameDecryptor.maximumGenerationGap else {
            throw DAVEError.generationTooFarAhead(generation)
        }
        let bigNonce = UInt64(generation) << 24 | UInt64(nonce & 0xFF_FFFF)
        if let newest = newestNonce, bigNonce <= newest, !missingNonces.contains(bigNonce) { throw DAVEError.replayedNonce }

        let cipher: FrameCipher
        if let known = ciphers[generation] {
            cipher = known.cipher
        } else {
            let key = try ratchet.key(for: generation)
            cipher = FrameCipher(key: key)
            // A generation older than the newest used is kept only as long as the others are.
            ciphers[generation] = (cipher, generation < newestGeneration ? now + DAVEFrameDecryptor.keyRetention : nil)
        }
        guard let plaintext = cipher.open(ciphertext, tag: tag, nonce: nonce, aad: aad) else { throw DAVEError.authenticationFailed }
        recordOpened(bigNonce, generation: generation, now: now)
        return plaintext
    }

    private mutating func recordOpened(_ bigNonce: UInt64, generation: UInt32, now: Duration) {
        if let newest = newestNonce {
            if bigNonce > newest {
                let skipped = min(bigNonce - newest - 1, UInt64(DAVEFrameDecryptor.maximumMissingNonces))
                missingNonces.append(contentsOf: (bigNonce - skipped)..<bigNonce)
                if missingNonces.count > DAVEFrameDecryptor.maximumMissingNonces {
                    missingNonces.removeFirst(missingNonces.count - DAVEFrameDecryptor.maximumMissingNonces)
                }
                newestNonce = bigNonce
            } else if let index = missingNonces.firstIndex(of: bigNonce) {
                missingNonces.remove(at: index)
            }
        } else {
            newestNonce = bigNonce
        }
        if generation > newestGeneration {
            newestGeneration = generation
            // Older generations now have `keyRetention` left.
            for (old, entry) in ciphers where old < generation && entry.expiry == nil {
                ciphers[old] = (entry.cipher, now + DAVEFrameDecryptor.keyRetention)
            }
        }
    }

    private mutating func dropExpiredGenerations(now: Duration) {
        for (generation, entry) in ciphers where entry.expiry.map({ $0 < now }) ?? false {
            ciphers[generation] = nil
        }
        // Erase the ratchet's secrets below the oldest generation still in use.
        var oldest = oldestGeneration
        while oldest < newestGeneration && ciphers[oldest] == nil { oldest += 1 }
        if oldest > oldestGeneration {
            oldestGeneration = oldest
            ratchet.erase(below: oldest)
        }
    }
}
