import COpus

extension VoiceReceivePipeline {
    /// Turns released slots into frames: decodes packets, conceals lost slots (from the next
    /// packet's FEC when it is already here), estimates lost slots' timestamps.
    package func play(_ slots: [VoiceReorderBuffer.Slot], from source: VoiceReceiveSource) -> [ReceivedVoiceFrame] {
        var frames: [ReceivedVoiceFrame] = []
        frames.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .packet(let packet):
                source.consecutiveLost = 0
                let pcm = decode(packet.opus, for: source)
                source.lastTimestamp = packet.timestamp
                frames.append(ReceivedVoiceFrame(ssrc: source.ssrc, sequence: packet.sequence, timestamp: packet.timestamp,
                                                 opus: packet.opus, pcm: pcm))
            case .missing(let sequence, let following):
                counters.lost += 1
                source.consecutiveLost += 1
                let timestamp = following.map { $0.timestamp &- source.lastDuration }
                    ?? (source.lastTimestamp ?? 0) &+ source.lastDuration
                source.lastTimestamp = timestamp
                guard source.consecutiveLost <= configuration.maxConcealedFrames else { continue }
                let pcm = conceal(for: source, following: following)
                frames.append(ReceivedVoiceFrame(ssrc: source.ssrc, sequence: sequence, timestamp: timestamp, opus: nil, pcm: pcm))
            }
        }
        return frames
    }

    private func decode(_ opus: [UInt8], for source: VoiceReceiveSource) -> [Int16] {
        guard configuration.decodesPCM else {
            let samples = opus.withUnsafeBufferPointer { bytes -> Int32 in
                guard let base = bytes.baseAddress else { return OPUS_INVALID_PACKET }
                return opus_packet_get_nb_samples(base, Int32(clamping: bytes.count), Int32(VoiceAudioFormat.sampleRate))
            }
            if samples > 0 { source.lastDuration = UInt32(samples) }
            return []
        }
        guard let decoder = decoder(for: source) else { return [] }
        do throws(OpusError) {
            let pcm = try decoder.decode(opus)
            source.lastDuration = UInt32(pcm.count / VoiceAudioFormat.channelCount)
            return pcm
        } catch {
            counters.undecodable += 1
            return (try? decoder.concealLoss(samplesPerChannel: Int(source.lastDuration))) ?? []
        }
    }

    private func conceal(for source: VoiceReceiveSource, following: VoiceReorderBuffer.Packet?) -> [Int16] {
        counters.concealed += 1
        guard configuration.decodesPCM, let decoder = decoder(for: source) else { return [] }
        let samples = Int(source.lastDuration)
        if let following {
            let recovered = following.opus.withUnsafeBytes { bytes in try? decoder.recoverLoss(from: bytes, samplesPerChannel: samples) }
            if let recovered {
                counters.decodedWithFEC += 1
                return recovered
            }
        }
        return (try? decoder.concealLoss(samplesPerChannel: samples)) ?? []
    }

    private func decoder(for source: VoiceReceiveSource) -> OpusFrameDecoder? {
        if let decoder = source.decoder { return decoder }
        source.decoder = try? OpusFrameDecoder()
        return source.decoder
    }
}
