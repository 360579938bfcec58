import BotHost
import DAVE
import Foundation

/// Voice media per stream: CPU per 20 ms frame to send (PCM → Opus → transport encryption →
/// datagram bytes) and to receive (bytes → decryption → reorder → Opus decode), in each transport
/// mode this CPU supports, and the memory one send + receive pipeline pair holds.
enum VoiceMediaBench {
    static let frames = 2_000

    static func run(_ env: BenchEnvironment) async throws {
        let pcm = musicLikeFrames(count: 250)
        for mode in VoiceEncryptionMode.available {
            // Each mode with the passthrough transform and with DAVE, as every call now runs.
            for dave in [false, true] {
                let (send, receive) = try measure(mode: mode, pcm: pcm, transform: dave ? try BenchDAVETransform() : nil)
                let name = (mode == .aeadAES256GCMRTPSize ? "AES-GCM" : "XChaCha20") + (dave ? " + DAVE" : "")
                report("voice send CPU/frame (\(name), p50 / p99)", String(format: "%.0f / %.0f µs", send.p50, send.p99),
                       target: "< 200 µs", met: send.p99 < 200)
                report("voice receive CPU/frame (\(name), p50 / p99)", String(format: "%.0f / %.0f µs", receive.p50, receive.p99),
                       target: "< 200 µs", met: receive.p99 < 200)
            }
        }
        let bytes = try memoryPerPipelinePair()
        report("voice send+receive pipeline pair memory", String(format: "%.0f KB", Double(bytes) / 1024),
               target: "< 256 KB", met: bytes < 256 * 1024)
    }

    /// Thread CPU time per frame, in microseconds, at the 50th and 99th percentile.
    static func measure(mode: VoiceEncryptionMode, pcm: [[Int16]], transform: (any VoiceFrameTransform)? = nil)
        throws -> (send: (p50: Double, p99: Double), receive: (p50: Double, p99: Double)) {
        let key = (0..<32).map { UInt8($0) }
        let transform = transform ?? PassthroughVoiceFrameTransform()
        let sender = VoiceSendPipeline(ssrc: 1, cipher: try VoiceTransportCipher(mode: mode, secretKey: key), frameTransform: transform)
        let receiver = VoiceReceivePipeline(cipher: try VoiceTransportCipher(mode: mode, secretKey: key), frameTransform: transform)
        var sendTimes: [UInt64] = []
        var receiveTimes: [UInt64] = []
        sendTimes.reserveCapacity(frames)
        receiveTimes.reserveCapacity(frames)
        for i in 0..<(frames + 100) {
            let frame = pcm[i % pcm.count]
            let t0 = threadCPUNs()
            let datagram = try sender.packet(forPCM: frame)
            let t1 = threadCPUNs()
            let decoded = try receiver.receive(datagram)
            let t2 = threadCPUNs()
            guard decoded.count == 1 else { throw BenchError(message: "receive released \(decoded.count) frames") }
            if i >= 100 {  // after warm-up
                sendTimes.append(t1 - t0)
                receiveTimes.append(t2 - t1)
            }
        }
        sendTimes.sort()
        receiveTimes.sort()
        func us(_ ns: UInt64) -> Double { Double(ns) / 1_000 }
        return ((us(percentile(sendTimes, 0.5)), us(percentile(sendTimes, 0.99))),
                (us(percentile(receiveTimes, 0.5)), us(percentile(receiveTimes, 0.99))))
    }

    /// Resident bytes held per pipeline pair after it has carried audio (encoder, decoder for one
    /// speaker, cipher state, reusable buffers): the growth of the process's RSS over many pairs.
    static func memoryPerPipelinePair() throws -> Int {
        let count = 200
        let key = [UInt8](repeating: 7, count: 32)
        let frame = musicLikeFrames(count: 1)[0]
        var pairs: [(VoiceSendPipeline, VoiceReceivePipeline)] = []
        pairs.reserveCapacity(count)
        let before = residentBytes()
        for _ in 0..<count {
            let send = VoiceSendPipeline(ssrc: 1, cipher: try VoiceTransportCipher(mode: .aeadXChaCha20Poly1305RTPSize, secretKey: key))
            let receive = VoiceReceivePipeline(cipher: try VoiceTransportCipher(mode: .aeadXChaCha20Poly1305RTPSize, secretKey: key))
            for _ in 0..<3 { _ = try receive.receive(try send.packet(forPCM: frame)) }
            pairs.append((send, receive))
        }
        let after = residentBytes()
        withExtendedLifetime(pairs) {}
        return max(0, after - before) / count
    }

    static func residentBytes() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Frames with a chord, a vibrato and some noise: harder for the encoder than a pure tone.
    static func musicLikeFrames(count: Int) -> [[Int16]] {
        var seed: UInt32 = 12_345
        return (0..<count).map { f in
            (0..<960).flatMap { s -> [Int16] in
                let t = Double(f * 960 + s) / 48_000
                seed = seed &* 1_664_525 &+ 1_013_904_223
                let noise = Double(Int32(bitPattern: seed)) / Double(Int32.max) * 0.02
                let chord = 0.25 * sin(2 * .pi * 220 * t) + 0.15 * sin(2 * .pi * 277.2 * t + sin(2 * .pi * 5 * t))
                    + 0.1 * sin(2 * .pi * 329.6 * t)
                let left = Int16((chord + noise) * 32_767)
                let right = Int16((chord * 0.8 - noise) * 32_767)
                return [left, right]
            }
        }
    }

    static func threadCPUNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// DAVE at the frame seam as a call runs it: our frames sealed under our key of the epoch, and the
/// same frames opened with a decryptor holding that sender's key (the bench is its own listener).
/// The keys come from a fixed base secret: the per-frame cost does not depend on the MLS group.
final class BenchDAVETransform: VoiceFrameTransform {
    private let encryptor = DAVEFrameEncryptor()
    private let decryptor = DAVEFrameDecryptor()

    init() throws {
        let ratchet = DAVEKeyRatchet(baseSecret: [UInt8](repeating: 0x5A, count: DAVEKeyRatchet.keyLength))
        encryptor.setKeyRatchet(ratchet)
        decryptor.transition(to: ratchet)
    }

    func encryptOutgoing(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws {
        try encryptor.encrypt(frame, into: &output)
    }

    func decryptIncoming(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws {
        try decryptor.decrypt(frame, into: &output)
    }
}
