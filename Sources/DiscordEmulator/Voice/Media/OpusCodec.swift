import COpus

/// One libopus decoder (48 kHz stereo). Not thread-safe: every call happens with the voice
/// hub's lock held.
final class OpusFrameDecoder: @unchecked Sendable {
    private let decoder: OpaquePointer

    init?() {
        var error: Int32 = 0
        guard let decoder = opus_decoder_create(Int32(VoiceLimits.sampleRate), Int32(VoiceLimits.channels), &error), error == OPUS_OK else {
            return nil
        }
        self.decoder = decoder
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Interleaved stereo samples, or nil when libopus rejects the packet.
    func decode(_ packet: [UInt8]) -> [Int16]? {
        guard !packet.isEmpty else { return nil }
        // 120 ms is the longest Opus packet.
        let maxSamples = 5760
        var pcm = [Int16](repeating: 0, count: maxSamples * VoiceLimits.channels)
        let decoded = packet.withUnsafeBufferPointer { input in
            pcm.withUnsafeMutableBufferPointer { output -> Int32 in
                guard let samples = output.baseAddress else { return -1 }
                return opus_decode(decoder, input.baseAddress, Int32(input.count), samples, Int32(maxSamples), 0)
            }
        }
        guard decoded > 0 else { return nil }
        return Array(pcm.prefix(Int(decoded) * VoiceLimits.channels))
    }
}

/// One libopus encoder (48 kHz stereo, music/general audio), for the simulated users' speech.
final class OpusFrameEncoder: @unchecked Sendable {
    private let encoder: OpaquePointer

    init?() {
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(
            Int32(VoiceLimits.sampleRate), Int32(VoiceLimits.channels), OPUS_APPLICATION_AUDIO, &error), error == OPUS_OK else {
            return nil
        }
        self.encoder = encoder
    }

    deinit { opus_encoder_destroy(encoder) }

    /// One 20 ms frame: exactly 960 interleaved stereo sample pairs in, one Opus packet out.
    func encode(frame: [Int16]) -> [UInt8]? {
        guard frame.count == VoiceLimits.samplesPerFrame * VoiceLimits.channels else { return nil }
        var packet = [UInt8](repeating: 0, count: 4000)
        let length = frame.withUnsafeBufferPointer { input in
            packet.withUnsafeMutableBufferPointer { output -> Int32 in
                guard let samples = input.baseAddress, let bytes = output.baseAddress else { return -1 }
                return opus_encode(encoder, samples, Int32(VoiceLimits.samplesPerFrame), bytes, Int32(output.count))
            }
        }
        guard length > 0 else { return nil }
        return Array(packet.prefix(Int(length)))
    }
}

enum OpusFrames {
    /// The frame Discord clients send (five times) before they pause: an empty CELT frame.
    static let silence: [UInt8] = [0xF8, 0xFF, 0xFE]
}
