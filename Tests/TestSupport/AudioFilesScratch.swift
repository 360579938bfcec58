import Foundation

/// Scratch files and fake Opus packets for the audio file tests.
package enum AudioFilesScratch {
    private static let directory = TestScratch.directory("audiofiles")

    /// A fresh path for a file named `name`.
    package static func path(_ name: String) -> String {
        directory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    /// A fake 20 ms Opus packet of `length` bytes (TOC 0xFC: CELT, 20 ms, one frame).
    package static func packet(length: Int, seed: UInt8) -> [UInt8] {
        [0xFC] + (1..<max(length, 1)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }
}
