import Foundation

/// Test signals for voice: sine tones as 48 kHz interleaved stereo Int16, no files involved.
public enum VoiceTone {
    /// A sine of `frequency` Hz lasting `durationMs`, both channels equal. `amplitude` is a
    /// fraction of full scale (0…1).
    public static func sine(frequency: Double, durationMs: Int, amplitude: Double = 0.5, sampleRate: Int = 48_000) -> [Int16] {
        let frames = max(0, durationMs) * sampleRate / 1000
        let scale = max(0, min(1, amplitude)) * Double(Int16.max)
        var pcm = [Int16](repeating: 0, count: frames * 2)
        let step = 2 * Double.pi * frequency / Double(sampleRate)
        for index in 0..<frames {
            let sample = Int16((sin(step * Double(index)) * scale).rounded())
            pcm[2 * index] = sample
            pcm[2 * index + 1] = sample
        }
        return pcm
    }
}
