/// Puts one SSRC's packets back in sequence order. Packets arriving in order are released at once
/// (no added latency); after a gap, up to `depth` later packets are held while the missing one
/// may still arrive, then the gap is declared lost. Sequence numbers are 16-bit and wrap; they are
/// unwrapped against the next expected number, so 65535 → 0 is just the next step.
package struct VoiceReorderBuffer {
    package struct Packet {
        package let sequence: UInt16
        package let timestamp: UInt32
        package let opus: [UInt8]
    }

    package enum Slot {
        case packet(Packet)
        /// A sequence number that never arrived in time; `following` is the packet right after it
        /// when already buffered (its in-band FEC may rebuild this one).
        case missing(sequence: UInt16, following: Packet?)
    }

    package enum Insertion: Equatable {
        case accepted
        /// Already buffered or already played.
        case duplicate
        /// Arrived after its slot was played as lost.
        case late
        /// So far from the expected number that the sender must have restarted its sequence;
        /// what was buffered was released and the stream starts again from this packet.
        case restarted
    }

    /// Packets that may wait behind a gap.
    package let depth: Int
    /// A jump larger than this (in either direction) is a restart, not loss or lateness.
    package let restartDistance: Int
    private var ring: [Packet?]
    private var ringSequences: [UInt64]
    /// Extended (unwrapped) number of the next slot to release; nil before the first packet.
    package private(set) var nextSequence: UInt64?
    private var highestBuffered: UInt64?
    /// Bit i: whether the slot released i+1 slots ago carried a real packet (vs. declared lost),
    /// which tells a duplicate of a played packet from a late one.
    private var releasedHistory: UInt64 = 0

    package init(depth: Int, restartDistance: Int = 250) {
        self.depth = max(0, depth)
        self.restartDistance = restartDistance
        ring = Array(repeating: nil, count: self.depth + 1)
        ringSequences = Array(repeating: .max, count: self.depth + 1)
    }

    /// Adds a packet and appends every slot it makes ready, in order, to `released`.
    package mutating func insert(_ packet: Packet, releasing released: inout [Slot]) -> Insertion {
        guard let next = nextSequence else {
            start(at: packet, releasing: &released)
            return .accepted
        }
        let delta = Int(Int16(bitPattern: packet.sequence &- UInt16(truncatingIfNeeded: next)))
        if delta < 0 {
            let age = -delta
            if age > restartDistance {
                drain(into: &released)
                start(at: packet, releasing: &released)
                return .restarted
            }
            let wasPlayed = age <= 64 && releasedHistory & (1 << UInt64(age - 1)) != 0
            return wasPlayed ? .duplicate : .late
        }
        if delta > restartDistance {
            drain(into: &released)
            start(at: packet, releasing: &released)
            return .restarted
        }
        let sequence = next + UInt64(delta)
        let index = Int(sequence % UInt64(ring.count))
        if ringSequences[index] == sequence, ring[index] != nil { return .duplicate }
        // Make room: a packet beyond the window forces the oldest slots out.
        while let current = nextSequence, sequence - current >= UInt64(ring.count) {
            releaseNext(into: &released)
        }
        ring[index] = packet
        ringSequences[index] = sequence
        highestBuffered = max(highestBuffered ?? sequence, sequence)
        releaseReady(into: &released)
        return .accepted
    }

    /// Releases everything still held, declaring the gaps between held packets lost. For when a
    /// source goes quiet and nothing more will come to fill a gap.
    package mutating func drain(into released: inout [Slot]) {
        while let next = nextSequence, let highest = highestBuffered, next <= highest {
            releaseNext(into: &released)
        }
        highestBuffered = nil
    }

    private mutating func start(at packet: Packet, releasing released: inout [Slot]) {
        // Offset keeps unwrapped numbers far from zero so backward deltas never underflow.
        let sequence = UInt64(packet.sequence) + (1 << 32)
        nextSequence = sequence
        for i in ring.indices { ring[i] = nil; ringSequences[i] = .max }
        let index = Int(sequence % UInt64(ring.count))
        ring[index] = packet
        ringSequences[index] = sequence
        highestBuffered = sequence
        releaseReady(into: &released)
    }

    private mutating func releaseReady(into released: inout [Slot]) {
        while let next = nextSequence, let highest = highestBuffered, next <= highest {
            let index = Int(next % UInt64(ring.count))
            let present = ringSequences[index] == next && ring[index] != nil
            guard present || highest - next >= UInt64(depth) else { break }
            releaseNext(into: &released)
        }
        if let next = nextSequence, let highest = highestBuffered, next > highest { highestBuffered = nil }
    }

    private mutating func releaseNext(into released: inout [Slot]) {
        guard let next = nextSequence else { return }
        let index = Int(next % UInt64(ring.count))
        if ringSequences[index] == next, let packet = ring[index] {
            released.append(.packet(packet))
            releasedHistory = releasedHistory << 1 | 1
        } else {
            let followingIndex = Int((next + 1) % UInt64(ring.count))
            let following = ringSequences[followingIndex] == next + 1 ? ring[followingIndex] : nil
            released.append(.missing(sequence: UInt16(truncatingIfNeeded: next), following: following))
            releasedHistory <<= 1
        }
        ring[index] = nil
        ringSequences[index] = .max
        nextSequence = next + 1
    }
}
