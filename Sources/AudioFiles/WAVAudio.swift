/// Audio read from a WAV file, converted to what Discord voice carries: 48 kHz, stereo,
/// interleaved signed 16-bit samples.
public struct WAVAudio: Sendable {
    public static let sampleRate = 48_000
    public static let channelCount = 2

    /// The format the file was in before conversion.
    public let sourceFormat: WAVFormat
    /// Interleaved left/right samples at 48 kHz.
    public let samples: [Int16]

    /// Samples per channel.
    public var frameCount: Int { samples.count / Self.channelCount }

    public init(sourceFormat: WAVFormat, samples: [Int16]) {
        self.sourceFormat = sourceFormat
        self.samples = samples
    }

    /// The audio cut into frames of `samplesPerChannel` stereo samples (960 = one 20 ms Opus
    /// frame), the last one padded with silence.
    public func frames(samplesPerChannel: Int = 960) -> [[Int16]] {
        let frameLength = samplesPerChannel * Self.channelCount
        guard frameLength > 0 else { return [] }
        return stride(from: 0, to: samples.count, by: frameLength).map { start in
            var frame = Array(samples[start..<min(start + frameLength, samples.count)])
            if frame.count < frameLength { frame.append(contentsOf: repeatElement(0, count: frameLength - frame.count)) }
            return frame
        }
    }
}
