/// Why a WAV file could not be read.
public enum WAVError: Error, Equatable, CustomStringConvertible {
    case notRIFF
    case notWAVE
    case missingFormatChunk
    case missingDataChunk
    /// A format code other than PCM or IEEE float (ADPCM, A-law, µ-law, MP3 in WAV, …).
    case unsupportedEncoding(formatTag: UInt16)
    case unsupportedBitDepth(Int, WAVFormat.Encoding)
    case invalidFormat(String)
    case io(String)

    public var description: String {
        switch self {
        case .notRIFF: "not a WAV file (no RIFF header)"
        case .notWAVE: "RIFF file is not WAVE"
        case .missingFormatChunk: "WAV file has no fmt chunk before its data"
        case .missingDataChunk: "WAV file has no data chunk"
        case .unsupportedEncoding(let tag):
            "unsupported WAV encoding 0x\(String(tag, radix: 16, uppercase: true)): only PCM integer and IEEE float are read"
        case .unsupportedBitDepth(let bits, let encoding):
            "unsupported WAV sample size: \(bits)-bit \(encoding == .integer ? "integer" : "float") (supported: 8/16/24/32-bit integer, 32/64-bit float)"
        case .invalidFormat(let reason): "invalid WAV format: \(reason)"
        case .io(let message): "I/O error: \(message)"
        }
    }
}
