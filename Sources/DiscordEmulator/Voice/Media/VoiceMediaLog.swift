/// What arrived over UDP for one voice session: packets, failures, and the decoded audio
/// (48 kHz interleaved stereo, in arrival order, one Opus decoder per SSRC).
struct VoiceMediaLog {
    private(set) var packets: [RecordedVoicePacket] = []
    private(set) var audio: [Int16] = []
    var receivedCount = 0
    var decryptFailures = 0
    var malformedPackets = 0
    var opusDecodeFailures = 0
    private var decoders: [UInt32: OpusFrameDecoder] = [:]

    /// Decodes `payload` with the SSRC's decoder, appends the audio (keeping at most
    /// `maxAudioSamples`) and returns samples per channel (0 if libopus rejected it).
    mutating func decode(_ payload: [UInt8], ssrc: UInt32, maxAudioSamples: Int) -> Int {
        if decoders[ssrc] == nil { decoders[ssrc] = OpusFrameDecoder() }
        guard let pcm = decoders[ssrc]?.decode(payload) else {
            opusDecodeFailures += 1
            return 0
        }
        audio += pcm
        // Trim in large steps: dropping a few samples from the front per packet would copy the
        // whole buffer fifty times a second.
        let slack = VoiceLimits.sampleRate * VoiceLimits.channels * 10
        if audio.count > maxAudioSamples + slack { audio.removeFirst(audio.count - maxAudioSamples) }
        return pcm.count / VoiceLimits.channels
    }

    mutating func record(_ packet: RecordedVoicePacket) {
        receivedCount += 1
        if packets.count >= VoiceLimits.recordedPacketCap { packets.removeFirst(VoiceLimits.recordedPacketCap / 10) }
        packets.append(packet)
    }
}
