import Foundation

/// Finds which tone a stretch of decoded audio carries, with the Goertzel algorithm, so a test
/// can check that the tone a bot sent arrived as that tone.
public enum VoiceToneAnalysis {
    /// The strongest frequency (Hz) in `pcm` (interleaved, `channels` per frame) between
    /// `lowestHz` and `highestHz`, to within about 1 Hz; nil when the audio is silent or too
    /// short (under 50 ms). The loudest part of the audio is analysed, so leading or trailing
    /// silence does not matter.
    public static func dominantFrequency(
        pcm: [Int16], sampleRate: Int = 48_000, channels: Int = 2, lowestHz: Double = 50, highestHz: Double = 4_000
    ) -> Double? {
        let mono = downmix(pcm, channels: channels)
        let coarseLength = sampleRate / 20  // 50 ms: 20 Hz bins, fast to scan
        guard sampleRate > 0, mono.count >= coarseLength, highestHz > lowestHz else { return nil }
        let loudest = loudestBlockStart(mono, blockLength: coarseLength)
        let block = Array(mono[loudest..<loudest + coarseLength])
        guard block.contains(where: { abs($0) > 1 }) else { return nil }
        let coarse = windowed(block)

        let top = min(highestHz, Double(sampleRate) / 2 - 1)
        var best = (frequency: lowestHz, power: -1.0)
        for frequency in stride(from: lowestHz, through: top, by: 10) {
            let power = goertzelPower(coarse, frequency: frequency, sampleRate: sampleRate)
            if power > best.power { best = (frequency, power) }
        }
        // Refine on up to half a second around the loudest block (2 Hz bins, Hann window).
        let fineLength = min(mono.count, sampleRate / 2)
        let fineStart = max(0, min(mono.count - fineLength, loudest + coarseLength / 2 - fineLength / 2))
        let fine = windowed(Array(mono[fineStart..<fineStart + fineLength]))
        var refined = best
        for frequency in stride(from: max(lowestHz, best.frequency - 20), through: min(top, best.frequency + 20), by: 0.25) {
            let power = goertzelPower(fine, frequency: frequency, sampleRate: sampleRate)
            if power > refined.power { refined = (frequency, power) }
        }
        return refined.frequency
    }

    /// Goertzel power of `frequency` in `pcm` (interleaved), normalised by the sample count, so
    /// two tones can be compared within one recording.
    public static func power(of frequency: Double, in pcm: [Int16], sampleRate: Int = 48_000, channels: Int = 2) -> Double {
        let mono = downmix(pcm, channels: channels)
        guard !mono.isEmpty else { return 0 }
        return goertzelPower(mono, frequency: frequency, sampleRate: sampleRate) / Double(mono.count * mono.count)
    }

    static func goertzelPower(_ samples: [Double], frequency: Double, sampleRate: Int) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = sample + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
    }

    private static func downmix(_ pcm: [Int16], channels: Int) -> [Double] {
        let channels = max(1, channels)
        let frames = pcm.count / channels
        var mono = [Double](repeating: 0, count: frames)
        for frame in 0..<frames {
            var sum = 0
            for channel in 0..<channels { sum += Int(pcm[frame * channels + channel]) }
            mono[frame] = Double(sum) / Double(channels)
        }
        return mono
    }

    /// Start of the block (of `blockLength` samples, stepping by half a block) with most energy.
    private static func loudestBlockStart(_ mono: [Double], blockLength: Int) -> Int {
        var best = (start: 0, energy: -1.0)
        var start = 0
        while start + blockLength <= mono.count {
            var energy = 0.0
            for sample in mono[start..<start + blockLength] { energy += sample * sample }
            if energy > best.energy { best = (start, energy) }
            start += max(1, blockLength / 2)
        }
        return best.start
    }

    /// A Hann window keeps a strong tone's side lobes from outweighing the scan's nearest bin.
    private static func windowed(_ samples: [Double]) -> [Double] {
        let count = samples.count
        guard count > 1 else { return samples }
        return samples.enumerated().map { index, sample in
            sample * (0.5 - 0.5 * cos(2 * Double.pi * Double(index) / Double(count - 1)))
        }
    }
}
