/// Changes the sample rate of one channel by linear interpolation between neighbouring samples.
/// Positions are computed exactly in integers from the output index, so long files do not drift.
/// Good for speech and music going up to 48 kHz or down from 88.2/96 kHz by small factors; it does
/// not low-pass before decimating, so content above 24 kHz in a high-rate source can alias.
enum LinearResampler {
    static func resample(_ input: [Float], from sourceRate: Int, to targetRate: Int) -> [Float] {
        guard sourceRate != targetRate, !input.isEmpty else { return input }
        let source = Int64(sourceRate)
        let target = Int64(targetRate)
        let outputCount = Int((Int64(input.count) * target + source / 2) / source)
        let scale = Float(1) / Float(target)
        return [Float](unsafeUninitializedCapacity: outputCount) { output, initialized in
            input.withUnsafeBufferPointer { input in
                let last = input.count - 1
                for j in 0..<outputCount {
                    let position = Int64(j) * source
                    let index = min(Int(position / target), last)
                    let fraction = Float(position % target) * scale
                    let a = input[index]
                    let b = input[min(index + 1, last)]
                    output[j] = a + (b - a) * fraction
                }
            }
            initialized = outputCount
        }
    }
}
