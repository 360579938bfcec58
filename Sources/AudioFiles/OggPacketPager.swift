/// Lays packets of one logical Ogg stream out into pages: lacing values (a packet of n bytes is
/// n/255 segments of 255 and one of n%255, so a multiple of 255 ends with a 0), packets that span
/// pages (continued flag), page sequence numbers, and the granule position of the last packet that
/// ends on each page.
struct OggPacketPager {
    let serialNumber: UInt32
    private(set) var nextSequenceNumber: UInt32 = 0
    private var lacing: [UInt8] = []
    private var body: [UInt8] = []
    private var startsWithContinuation = false
    private var granuleOfLastCompletedPacket = OggPage.noGranule
    /// Whether the page under construction holds at least one segment.
    var hasPendingSegments: Bool { !lacing.isEmpty }
    /// Whether a page has been emitted yet (the first one carries the beginning-of-stream flag).
    private var emittedFirstPage = false

    init(serialNumber: UInt32) {
        self.serialNumber = serialNumber
    }

    /// Adds one packet ending at `granulePosition`. Returns the pages that filled up on the way
    /// (a page holds at most 255 segments); the rest stays pending until `flush`.
    mutating func append(packet: [UInt8], granulePosition: Int64) -> [OggPage] {
        var full: [OggPage] = []
        var offset = 0
        var packetEnded = false
        while !packetEnded {
            if lacing.count == OggPage.maxSegments {
                full.append(takePage(flags: []))
                startsWithContinuation = offset > 0  // the packet being laced goes on
            }
            let segment = min(255, packet.count - offset)
            lacing.append(UInt8(segment))
            body.append(contentsOf: packet[offset..<offset + segment])
            offset += segment
            packetEnded = segment < 255
        }
        granuleOfLastCompletedPacket = granulePosition
        return full
    }

    /// Closes the pending page (also when empty, e.g. an end-of-stream marker page).
    mutating func flush(endOfStream: Bool = false, granuleOverride: Int64? = nil) -> OggPage {
        if let granuleOverride { granuleOfLastCompletedPacket = granuleOverride }
        return takePage(flags: endOfStream ? [.endOfStream] : [])
    }

    private mutating func takePage(flags: OggPageFlags) -> OggPage {
        var flags = flags
        if startsWithContinuation { flags.insert(.continued) }
        if !emittedFirstPage { flags.insert(.beginningOfStream) }
        let page = OggPage(
            flags: flags, granulePosition: granuleOfLastCompletedPacket, serialNumber: serialNumber,
            sequenceNumber: nextSequenceNumber, lacingValues: lacing, body: body)
        nextSequenceNumber &+= 1
        emittedFirstPage = true
        lacing.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
        startsWithContinuation = false
        granuleOfLastCompletedPacket = OggPage.noGranule
        return page
    }
}
