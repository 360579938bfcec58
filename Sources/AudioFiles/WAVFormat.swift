/// The sample format a WAV file declares in its `fmt ` chunk.
public struct WAVFormat: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        /// Signed integers (unsigned for 8-bit), WAVE_FORMAT_PCM.
        case integer
        /// IEEE floats, WAVE_FORMAT_IEEE_FLOAT.
        case float
    }

    public var encoding: Encoding
    public var channelCount: Int
    public var sampleRate: Int
    /// Bits each sample occupies in the file (8, 16, 24, 32 or 64).
    public var bitsPerSample: Int

    public init(encoding: Encoding, channelCount: Int, sampleRate: Int, bitsPerSample: Int) {
        self.encoding = encoding
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        self.bitsPerSample = bitsPerSample
    }

    var bytesPerSample: Int { bitsPerSample / 8 }
    var bytesPerFrame: Int { bytesPerSample * channelCount }

    static let formatPCM: UInt16 = 0x0001
    static let formatFloat: UInt16 = 0x0003
    static let formatExtensible: UInt16 = 0xFFFE

    /// Parses a `fmt ` chunk body, refusing what the reader cannot convert.
    static func parse(_ chunk: ArraySlice<UInt8>) throws(WAVError) -> WAVFormat {
        let base = chunk.startIndex
        guard chunk.count >= 16,
              var tag = chunk.littleEndian(UInt16.self, at: base),
              let channels = chunk.littleEndian(UInt16.self, at: base + 2),
              let rate = chunk.littleEndian(UInt32.self, at: base + 4),
              let blockAlign = chunk.littleEndian(UInt16.self, at: base + 12),
              let bits = chunk.littleEndian(UInt16.self, at: base + 14)
        else { throw .invalidFormat("fmt chunk shorter than 16 bytes") }
        if tag == formatExtensible {
            // WAVE_FORMAT_EXTENSIBLE: the real format code opens the sub-format GUID at byte 24.
            guard let subFormat = chunk.littleEndian(UInt16.self, at: base + 24) else {
                throw .invalidFormat("WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes")
            }
            tag = subFormat
        }
        let encoding: Encoding
        switch tag {
        case formatPCM: encoding = .integer
        case formatFloat: encoding = .float
        default: throw .unsupportedEncoding(formatTag: tag)
        }
        let supportedBits: Set<UInt16> = encoding == .integer ? [8, 16, 24, 32] : [32, 64]
        guard supportedBits.contains(bits) else { throw .unsupportedBitDepth(Int(bits), encoding) }
        guard channels > 0 else { throw .invalidFormat("0 channels") }
        guard rate > 0, rate <= 768_000 else { throw .invalidFormat("sample rate \(rate) Hz") }
        let format = WAVFormat(encoding: encoding, channelCount: Int(channels), sampleRate: Int(rate), bitsPerSample: Int(bits))
        guard Int(blockAlign) == format.bytesPerFrame else {
            throw .invalidFormat("block align \(blockAlign) for \(channels) channels of \(bits) bits")
        }
        return format
    }
}
