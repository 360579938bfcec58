import Foundation

/// Test helpers for audio: generating tones and checking what frequency a signal carries, so
/// codec and resampler tests can tell real audio from silence or noise.
package enum ToneAnalysis {
    /// Interleaved stereo Int16 samples of a sine at `frequency` Hz, both channels equal.
    package static func stereoTone(frequency: Double, sampleRate: Int = 48_000, frames: Int, amplitude: Double = 0.5,
                           startFrame: Int = 0) -> [Int16] {
        var samples = [Int16](repeating: 0, count: frames * 2)
        for i in 0..<frames {
            let value = Int16(amplitude * 32_767 * sin(2 * Double.pi * frequency * Double(startFrame + i) / Double(sampleRate)))
            samples[2 * i] = value
            samples[2 * i + 1] = value
        }
        return samples
    }

    /// Interleaved stereo Int16 samples of a voiced, speech-like sound: harmonics of a gliding
    /// 80–160 Hz pitch shaped by three formants, syllable-rate amplitude modulation. Opus treats it
    /// as speech (a pure tone it does not), which matters for speech-only features such as FEC.
    package static func stereoSpeechLike(frames: Int, startFrame: Int = 0) -> [Int16] {
        var samples = [Int16](repeating: 0, count: frames * 2)
        for i in 0..<frames {
            let t = Double(startFrame + i) / 48_000
            let pitch = 120 + 40 * sin(2 * Double.pi * 1.5 * t)
            let phase = 2 * Double.pi * (120 * t - 40 / (2 * Double.pi * 1.5) * cos(2 * Double.pi * 1.5 * t))
            var x = 0.0
            for harmonic in 1...30 {
                let f = Double(harmonic) * pitch
                let gain = exp(-pow((f - 700) / 300, 2)) + 0.6 * exp(-pow((f - 1_200) / 400, 2)) + 0.3 * exp(-pow((f - 2_500) / 500, 2))
                x += gain * sin(Double(harmonic) * phase)
            }
            x *= 0.6 + 0.4 * sin(2 * Double.pi * 4 * t)
            let value = Int16(max(-32_768, min(32_767, 8_000 * x)))
            samples[2 * i] = value
            samples[2 * i + 1] = value
        }
        return samples
    }

    /// One channel of interleaved samples, as Doubles in [-1, 1].
    package static func channel(_ interleaved: [Int16], channel: Int, of channels: Int = 2) -> [Double] {
        stride(from: channel, to: interleaved.count, by: channels).map { Double(interleaved[$0]) / 32_768 }
    }

    /// Relative power of `frequency` in `samples` (Goertzel's algorithm).
    package static func power(of frequency: Double, in samples: [Double], sampleRate: Int = 48_000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = sample + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        return (previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious)
            / Double(max(samples.count, 1))
    }

    /// The strongest frequency among 50 Hz … 4 kHz in 5 Hz steps.
    package static func dominantFrequency(in samples: [Double], sampleRate: Int = 48_000) -> Double {
        var best = (frequency: 0.0, power: -1.0)
        for frequency in stride(from: 50.0, through: 4_000, by: 5) {
            let p = power(of: frequency, in: samples, sampleRate: sampleRate)
            if p > best.power { best = (frequency, p) }
        }
        return best.frequency
    }

    package static func rms(_ samples: [Double]) -> Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0) { $0 + $1 * $1 } / Double(samples.count)).squareRoot()
    }
}
