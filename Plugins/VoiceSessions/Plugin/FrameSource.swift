import AudioFiles
import PluginKit

/// One 20 ms frame to send.
enum OutgoingFrame {
    case opus([UInt8])
    case pcm([Int16])
}

/// Where a playback's frames come from.
protocol FrameSource: AnyObject {
    /// The next frame, or nil at the end.
    func next() throws -> OutgoingFrame?
}

/// An Ogg Opus file read packet by packet and sent as is (no re-encoding). Voice carries one
/// 20 ms packet per frame, so a file made of other packet durations is refused with the fix.
final class OggOpusSource: FrameSource {
    private let reader: OggOpusReader

    init(path: String) throws {
        do {
            reader = try OggOpusReader(path: path)
        } catch {
            throw PluginError(.invalidArgument, "it is not a playable Ogg Opus file: \(error)")
        }
    }

    func next() throws -> OutgoingFrame? {
        let packet: OggOpusPacket?
        do {
            packet = try reader.nextPacket()
        } catch {
            throw PluginError(.invalidArgument, "the file cannot be read further: \(error)")
        }
        guard let packet else { return nil }
        guard packet.sampleCount == 960 else {
            throw PluginError(.invalidArgument, "it holds \(Double(packet.sampleCount) / 48)-ms Opus packets; voice sends "
                              + "20 ms frames, so re-encode it with 20 ms frames (e.g. opusenc --framesize 20)")
        }
        guard packet.data.count <= Voice.maxOpusPacketBytes else {
            throw PluginError(.invalidArgument, "it holds an Opus packet of \(packet.data.count) bytes, over the 1275 a frame may carry")
        }
        return .opus(packet.data)
    }
}

/// A WAV file, already decoded to 48 kHz stereo, sent as PCM frames (the host encodes them).
final class PCMSource: FrameSource {
    private let samples: [Int16]
    private var offset = 0

    init(audio: WAVAudio) {
        samples = audio.samples
    }

    func next() throws -> OutgoingFrame? {
        guard offset < samples.count else { return nil }
        let end = min(offset + Voice.pcmFrameSamples, samples.count)
        var frame = Array(samples[offset..<end])
        offset = end
        // The last frame is padded with silence: a PCM frame is always exactly 20 ms.
        if frame.count < Voice.pcmFrameSamples { frame.append(contentsOf: repeatElement(0, count: Voice.pcmFrameSamples - frame.count)) }
        return .pcm(frame)
    }
}
