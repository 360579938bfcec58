import PluginKit
import VoiceSessionsCore

/// Plays one file in a guild: keeps the host's send queue (10 s of Opus, 0.5 s of PCM) topped up
/// from the file, a batch at a time. QUEUE_FULL is the normal back-pressure: the frame is kept and
/// offered again on the next pump (every 100 ms, and whenever the host reports the queue drained). Once the file is
/// exhausted, the next SEND_DRAINED means it has played out.
final class FilePlayer {
    enum Progress: Equatable {
        /// More to send; pump again later.
        case playing
        /// Every frame is queued; waiting for the host to drain them.
        case queuedAll
        case failed(String)
    }

    /// The session that asked for it: its cleanup stops the playback.
    let owner: SessionKey
    let name: String
    private let source: FrameSource
    private var held: OutgoingFrame?
    private var exhausted = false
    /// Every frame of the file has been handed to the host (or the playback was stopped).
    var hasQueuedAll: Bool { exhausted }
    private(set) var framesSent = 0
    var pumpTimer: Registration?

    /// At most this many frames per pump (10 s), so one pump never holds the executor long.
    static let batch = 500

    init(owner: SessionKey, name: String, source: FrameSource) {
        self.owner = owner
        self.name = name
        self.source = source
    }

    /// Sends frames until the host's queue is full, the batch is done, or the file ends.
    func pump(_ voice: Voice) -> Progress {
        guard !exhausted else { return .queuedAll }
        for _ in 0..<Self.batch {
            let frame: OutgoingFrame
            do {
                if let kept = held {
                    frame = kept
                } else if let next = try source.next() {
                    frame = next
                } else {
                    exhausted = true
                    return .queuedAll
                }
            } catch {
                return .failed(Self.reason(error))
            }
            do {
                switch frame {
                case .opus(let packet): try voice.send(guild: owner.guildID, opus: packet)
                case .pcm(let samples): try voice.send(guild: owner.guildID, pcm: samples)
                }
                held = nil
                framesSent += 1
            } catch let error as PluginError where error.code == .queueFull {
                held = frame
                return .playing
            } catch {
                return .failed(Self.reason(error))
            }
        }
        return .playing
    }

    private static func reason(_ error: any Error) -> String {
        (error as? PluginError)?.message ?? "\(error)"
    }

    /// Stops pumping (the caller drops what is queued with `stopSending`).
    func stop() {
        pumpTimer?.cancel()
        pumpTimer = nil
        exhausted = true
    }
}
