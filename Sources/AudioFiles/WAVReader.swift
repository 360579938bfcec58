import Foundation

/// Reads RIFF/WAVE files — integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits,
/// any channel count and sample rate — and converts them to 48 kHz stereo 16-bit, the format
/// voice is encoded from. Mono is duplicated to both sides; with more than two channels the first
/// two (front left and right in WAVE order) are kept. The whole file is read into memory (a
/// minute of 48 kHz stereo 16-bit is about 11 MB), which suits sound effects and short clips; long
/// material is better stored as Ogg Opus and streamed with `OggOpusReader`.
public enum WAVReader {
    public static func read(path: String) throws(WAVError) -> WAVAudio {
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("cannot read \(path)") }
        return try decode([UInt8](data))
    }

    public static func decode(_ bytes: [UInt8]) throws(WAVError) -> WAVAudio {
        let (format, data) = try chunks(of: bytes)
        let left = WAVSampleDecoder.channel(0, of: data, format: format)
        let right = format.channelCount > 1 ? WAVSampleDecoder.channel(1, of: data, format: format) : left
        let left48 = LinearResampler.resample(left, from: format.sampleRate, to: WAVAudio.sampleRate)
        let right48 = format.channelCount > 1
            ? LinearResampler.resample(right, from: format.sampleRate, to: WAVAudio.sampleRate) : left48
        var samples = [Int16](repeating: 0, count: left48.count * 2)
        for i in 0..<left48.count {
            samples[2 * i] = WAVSampleDecoder.int16(left48[i])
            samples[2 * i + 1] = WAVSampleDecoder.int16(right48[i])
        }
        return WAVAudio(sourceFormat: format, samples: samples)
    }

    /// Walks the RIFF chunks for `fmt ` and `data`. A data chunk whose size runs past the end of
    /// the file (streamed writers leave 0 or 0xFFFFFFFF there) is read up to the last whole frame.
    static func chunks(of bytes: [UInt8]) throws(WAVError) -> (WAVFormat, ArraySlice<UInt8>) {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8) else { throw .notRIFF }
        guard bytes[8..<12].elementsEqual("WAVE".utf8) else { throw .notWAVE }
        var offset = 12
        var format: WAVFormat?
        while offset + 8 <= bytes.count {
            let id = bytes[offset..<offset + 4]
            let declared = Int(bytes.littleEndian(UInt32.self, at: offset + 4) ?? 0)
            let bodyStart = offset + 8
            let available = bytes.count - bodyStart
            if id.elementsEqual("fmt ".utf8) {
                guard declared <= available else { throw .invalidFormat("fmt chunk truncated") }
                format = try WAVFormat.parse(bytes[bodyStart..<bodyStart + declared])
            } else if id.elementsEqual("data".utf8) {
                guard let format else { throw .missingFormatChunk }
                let length = min(declared, available)
                let whole = length - length % format.bytesPerFrame
                return (format, bytes[bodyStart..<bodyStart + whole])
            }
            // Chunks are padded to an even length.
            offset = bodyStart + declared + (declared & 1)
        }
        throw format == nil ? .missingFormatChunk : .missingDataChunk
    }
}
