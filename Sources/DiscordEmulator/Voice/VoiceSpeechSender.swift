import NIOCore

/// Turns a simulated user's audio into the packets a Discord client would send (Opus frames of
/// 20 ms, RTP, transport encryption, trailing silence) and puts them on the wire towards the
/// bot, paced or not, with the requested impairments.
enum VoiceSpeechSender {
    static func speak(
        hub: VoiceHub, guildID: UInt64, userID: UInt64, audio: VoiceSpeechAudio, options: VoiceSpeechOptions
    ) async throws -> VoiceSpeechReport {
        let frames = try encodeFrames(audio.samples)
        let silence = max(0, options.trailingSilenceFrames)
        let payloads = frames + Array(repeating: OpusFrames.silence, count: silence)
        let plan = try hub.planSpeech(guildID: guildID, userID: userID, packetCount: payloads.count, speakingFlags: options.speakingFlags)
        let packets = try payloads.enumerated().map { index, payload in
            try seal(payload, index: index, plan: plan, options: options)
        }
        var sent = 0
        let start = ContinuousClock.now
        for (slot, index) in sendOrder(count: packets.count, swaps: options.swapWithNextPackets).enumerated() {
            if options.pacing == .realTime {
                try await Task.sleep(until: start + .milliseconds(20 * slot), clock: .continuous)
            }
            guard !options.dropPackets.contains(index) else { continue }
            let copies = options.duplicatePackets.contains(index) ? 2 : 1
            for _ in 0..<copies where !hub.dropsOutgoingDatagram() {
                let envelope = AddressedEnvelope(remoteAddress: plan.destination, data: ByteBuffer(bytes: packets[index]))
                plan.channel.writeAndFlush(envelope, promise: nil)
                sent += 1
            }
        }
        return VoiceSpeechReport(
            voiceSessionID: plan.sessionKey, ssrc: plan.ssrc, firstSequence: plan.firstSequence, firstTimestamp: plan.firstTimestamp,
            audioFrames: frames.count, silenceFrames: silence, datagramsSent: sent)
    }

    /// 20 ms Opus frames; the last one padded with silence.
    private static func encodeFrames(_ pcm: [Int16]) throws(VoiceSpeechError) -> [[UInt8]] {
        guard let encoder = OpusFrameEncoder() else { throw .encodingFailed }
        let frameLength = VoiceLimits.samplesPerFrame * VoiceLimits.channels
        var frames: [[UInt8]] = []
        var start = 0
        while start < pcm.count {
            var frame = Array(pcm[start..<min(pcm.count, start + frameLength)])
            frame += [Int16](repeating: 0, count: frameLength - frame.count)
            guard let packet = encoder.encode(frame: frame) else { throw .encodingFailed }
            frames.append(packet)
            start += frameLength
        }
        return frames
    }

    private static func seal(_ payload: [UInt8], index: Int, plan: VoiceHub.SpeechPlan, options: VoiceSpeechOptions) throws(VoiceSpeechError) -> [UInt8] {
        var header = RTPHeader(
            sequence: plan.firstSequence &+ UInt16(truncatingIfNeeded: index),
            timestamp: plan.firstTimestamp &+ UInt32(truncatingIfNeeded: index * VoiceLimits.samplesPerFrame),
            ssrc: plan.ssrc)
        header.marker = index == 0  // the first packet of a talkspurt
        header.csrcs = Array(options.csrcs.prefix(15))
        var plaintext = payload
        if options.headerExtension {
            header.extensionPreamble = (RTPHeader.oneByteExtensionProfile, 1)
            // One element, id 1, one byte: an audio level (RFC 6464), voice flag set, -40 dBov.
            plaintext = [0x10, 0x80 | 40, 0x00, 0x00] + payload
        }
        guard let packet = VoiceTransportCipher.seal(
            header: header.bytes, plaintext: plaintext, counter: plan.firstNonce &+ UInt32(truncatingIfNeeded: index),
            mode: plan.mode, key: plan.secretKey) else {
            throw .sessionNotReady("the session key could not seal a packet")
        }
        return packet
    }

    /// Packet indices in send order: each listed index trades places with the next one.
    private static func sendOrder(count: Int, swaps: Set<Int>) -> [Int] {
        var order = Array(0..<count)
        for index in swaps.sorted() where index + 1 < count {
            order.swapAt(index, index + 1)
        }
        return order
    }
}
