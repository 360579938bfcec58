import DiscordClient

/// Puts a user id on each received frame. The voice server names the user behind an SSRC in a
/// Speaking (or client-connect) message on the WebSocket, which can arrive just after that
/// speaker's first packets on UDP; a frame from an SSRC not yet named is held, in order, and
/// released with the user id as soon as the name is known. When the name does not come within
/// `holdNs` (or `holdFrames` pile up), the held frames go out as user 0 ("unknown speaker"), so
/// nothing is held for long and nothing is dropped.
///
/// Confined to the receiving event loop, like the rest of the receive path.
package struct VoiceSpeakerAttribution {
    package struct Attributed: Equatable {
        package let frame: ReceivedVoiceFrame
        package let userID: UInt64

        package init(frame: ReceivedVoiceFrame, userID: UInt64) {
            self.frame = frame
            self.userID = userID
        }
    }

    package static let defaultHoldNs: UInt64 = 500_000_000
    package static let defaultHoldFrames = 25

    package let holdNs: UInt64
    package let holdFrames: Int
    private var held: [UInt32: (sinceNs: UInt64, frames: [ReceivedVoiceFrame])] = [:]

    package init(holdNs: UInt64 = Self.defaultHoldNs, holdFrames: Int = Self.defaultHoldFrames) {
        self.holdNs = holdNs
        self.holdFrames = max(1, holdFrames)
    }

    /// Whether frames are waiting for their speaker to be named.
    package var isHolding: Bool { !held.isEmpty }

    /// The frames ready to deliver, in order per SSRC, after taking in `frames`.
    package mutating func attribute(_ frames: [ReceivedVoiceFrame], nowNs: UInt64, userID: (UInt32) -> UInt64?) -> [Attributed] {
        var out: [Attributed] = []
        out.reserveCapacity(frames.count)
        for frame in frames {
            if let user = userID(frame.ssrc) {
                release(frame.ssrc, as: user, into: &out)
                out.append(Attributed(frame: frame, userID: user))
                continue
            }
            held[frame.ssrc, default: (nowNs, [])].frames.append(frame)
            if let entry = held[frame.ssrc], entry.frames.count >= holdFrames || nowNs &- entry.sinceNs >= holdNs {
                release(frame.ssrc, as: 0, into: &out)
            }
        }
        return out
    }

    /// Releases what has waited long enough (as user 0) or whose speaker is now known: called on
    /// the receiver's periodic check, so held frames leave even when no more packets come.
    package mutating func releaseDue(nowNs: UInt64, userID: (UInt32) -> UInt64?) -> [Attributed] {
        var out: [Attributed] = []
        for (ssrc, entry) in held {
            if let user = userID(ssrc) {
                release(ssrc, as: user, into: &out)
            } else if nowNs &- entry.sinceNs >= holdNs {
                release(ssrc, as: 0, into: &out)
            }
        }
        return out
    }

    /// Forgets everything held (a new transport, a new session key).
    package mutating func reset() { held.removeAll() }

    private mutating func release(_ ssrc: UInt32, as user: UInt64, into out: inout [Attributed]) {
        guard let entry = held.removeValue(forKey: ssrc) else { return }
        out.append(contentsOf: entry.frames.map { Attributed(frame: $0, userID: user) })
    }
}
