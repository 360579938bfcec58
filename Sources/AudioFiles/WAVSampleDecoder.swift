/// Turns the interleaved bytes of a WAV data chunk into one Float channel in [-1, 1].
enum WAVSampleDecoder {
    static func channel(_ channel: Int, of data: ArraySlice<UInt8>, format: WAVFormat) -> [Float] {
        let frameBytes = format.bytesPerFrame
        let frames = data.count / frameBytes
        let width = format.bytesPerSample
        return [Float](unsafeUninitializedCapacity: frames) { output, initialized in
            data.withUnsafeBytes { raw in
                for frame in 0..<frames {
                    let offset = frame * frameBytes + channel * width
                    output[frame] = sample(raw, at: offset, format: format)
                }
            }
            initialized = frames
        }
    }

    @inline(__always)
    private static func sample(_ raw: UnsafeRawBufferPointer, at offset: Int, format: WAVFormat) -> Float {
        switch (format.encoding, format.bitsPerSample) {
        case (.integer, 8):
            return (Float(raw[offset]) - 128) / 128  // 8-bit WAV is unsigned
        case (.integer, 16):
            return Float(Int16(bitPattern: UInt16(raw[offset]) | UInt16(raw[offset + 1]) << 8)) / 32_768
        case (.integer, 24):
            let value = Int32(bitPattern: UInt32(raw[offset]) << 8 | UInt32(raw[offset + 1]) << 16 | UInt32(raw[offset + 2]) << 24) >> 8
            return Float(value) / 8_388_608
        case (.integer, _):
            return Float(Int32(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)) / 2_147_483_648
        case (.float, 32):
            return Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        case (.float, _):
            return Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian))
        }
    }

    /// Rounds to 16-bit, clamping what lies outside [-1, 1) (floats may exceed full scale).
    static func int16(_ value: Float) -> Int16 {
        let scaled = (value * 32_768).rounded()
        guard scaled.isFinite else { return 0 }
        return Int16(max(-32_768, min(32_767, scaled)))
    }
}
