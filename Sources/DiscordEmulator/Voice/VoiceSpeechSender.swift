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
        let plan = try await plan(hub: hub, guildID: guildID, userID: userID, packetCount: payloads.count, options: options)
        var sent = 0
        let start = ContinuousClock.now
        for (slot, index) in sendOrder(count: payloads.count, swaps: options.swapWithNextPackets).enumerated() {
            if options.pacing == .realTime {
                try await Task.sleep(until: start + .milliseconds(20 * slot), clock: .continuous)
            }
            guard !options.dropPackets.contains(index) else { continue }
            // Sealed as it goes out, so a DAVE key switch during the speech is followed, as a
            // client's encoder would.
            let packet = try seal(payloads[index], index: index, plan: plan, options: options)
            let copies = options.duplicatePackets.contains(index) ? 2 : 1
            for _ in 0..<copies where !hub.dropsOutgoingDatagram() {
                let envelope = AddressedEnvelope(remoteAddress: plan.destination, data: ByteBuffer(bytes: packet))
                plan.channel.writeAndFlush(envelope, promise: nil)
                sent += 1
            }
        }
        return VoiceSpeechReport(
            voiceSessionID: plan.sessionKey, ssrc: plan.ssrc, firstSequence: plan.firstSequence, firstTimestamp: plan.firstTimestamp,
            audioFrames: frames.count, silenceFrames: silence, datagramsSent: sent)
    }

    /// The speech's plan, once the user may send: in a DAVE call, after its group is ready (the
    /// condition is looked at every few milliseconds, as the messages that form it are quick).
    private static func plan(hub: VoiceHub, guildID: UInt64, userID: UInt64, packetCount: Int,
                             options: VoiceSpeechOptions) async throws -> VoiceHub.SpeechPlan {
        let deadline = ContinuousClock.now + options.endToEndWait
        while true {
            let attempt = Result { () throws(VoiceSpeechError) in
                try hub.planSpeech(guildID: guildID, userID: userID, packetCount: packetCount, speakingFlags: options.speakingFlags)
            }
            switch attempt {
            case .success(let plan): return plan
            case .failure(.endToEndNotReady) where ContinuousClock.now < deadline: try await Task.sleep(for: .milliseconds(5))
            case .failure(let error): throw error
            }
        }
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
        if let endToEnd = plan.endToEnd, payload != OpusFrames.silence {
            guard let encrypted = try? endToEnd.encrypt(payload) else {
                throw .sessionNotReady("the user's DAVE encryptor refused a frame")
            }
            plaintext = encrypted
        }
        if options.headerExtension {
            header.extensionPreamble = (RTPHeader.oneByteExtensionProfile, 1)
            // One element, id 1, one byte: an audio level (RFC 6464), voice flag set, -40 dBov.
            plaintext = [0x10, 0x80 | 40, 0x00, 0x00] + plaintext
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
