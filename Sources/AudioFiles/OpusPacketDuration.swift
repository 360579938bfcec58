/// The duration of an Opus packet, from its table-of-contents byte (RFC 6716 §3.1), in samples
/// at 48 kHz. Lets a file be timed and played without decoding.
public enum OpusPacketDuration {
    /// Samples per channel at 48 kHz, or nil for an empty or malformed packet or one longer than
    /// the 120 ms Opus allows.
    public static func sampleCount(of packet: [UInt8]) -> Int? {
        guard let toc = packet.first else { return nil }
        let config = Int(toc >> 3)
        let frameSamples: Int
        switch config {
        case 0..<12: frameSamples = [480, 960, 1920, 2880][config % 4]  // SILK: 10, 20, 40, 60 ms
        case 12..<16: frameSamples = [480, 960][config % 2]  // hybrid: 10, 20 ms
        default: frameSamples = [120, 240, 480, 960][config % 4]  // CELT: 2.5, 5, 10, 20 ms
        }
        let frames: Int
        switch toc & 0x03 {
        case 0: frames = 1
        case 1, 2: frames = 2
        default:
            guard packet.count >= 2 else { return nil }
            frames = Int(packet[1] & 0x3F)
        }
        let total = frames * frameSamples
        guard frames > 0, total <= 5_760 else { return nil }
        return total
    }
}
