import Foundation

/// Reads an Ogg Opus stream (RFC 7845) back as Opus packets, for playing a file without
/// re-encoding. Every page's capture pattern, CRC and sequence number is checked; packets that
/// span pages are reassembled. Reads the first logical stream only and stops at its end-of-stream
/// page; pages of other multiplexed streams are skipped. A file cut off inside a page (a recording
/// interrupted by a crash) ends cleanly at the last whole page, with `isTruncated` set.
///
/// One reader belongs to one consumer; it is not thread-safe.
public final class OggOpusReader {
    public private(set) var head: OpusHead
    public private(set) var tags: OpusTags
    /// Set once the end-of-stream page has been read.
    public private(set) var reachedEndOfStream = false
    /// The granule position of the last page read: with `head.preSkip`, where the audio ends.
    public private(set) var lastGranulePosition: Int64 = 0
    /// Whether the input ended inside a page or before the end-of-stream page.
    public var isTruncated: Bool { pages.endedMidPage || (endOfInput && !reachedEndOfStream) }

    private var pages: OggPageReader
    private var serialNumber: UInt32 = 0
    private var nextSequence: UInt32 = 0
    private var partial: [UInt8]?
    private var ready: [(data: [UInt8], granule: Int64?)] = []
    private var readyIndex = 0
    private var endOfInput = false
    private var audioPacketIndex = 0

    public convenience init(path: String) throws(OggOpusError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot open \(path)") }
        try self.init(source: .file(handle))
    }

    /// Reads from `handle`'s current offset; the caller keeps ownership of the handle.
    public convenience init(handle: FileHandle) throws(OggOpusError) {
        try self.init(source: .file(handle))
    }

    public convenience init(bytes: [UInt8]) throws(OggOpusError) {
        try self.init(source: .memory(bytes, position: 0))
    }

    private init(source: OggByteSource) throws(OggOpusError) {
        pages = OggPageReader(source: source)
        guard let first = try pages.nextPage() else { throw .missingOpusHead }
        guard first.flags.contains(.beginningOfStream) else { throw .missingBeginningOfStream }
        serialNumber = first.serialNumber
        nextSequence = first.sequenceNumber
        // Placeholders until the headers are parsed; every stored property needs a value first.
        head = OpusHead()
        tags = OpusTags(vendor: "")
        try accept(first)
        guard ready.count == 1, partial == nil else { throw .invalidOpusHead("OpusHead must be alone on the first page") }
        head = try OpusHead.parse(try nextRawPacket() ?? [])
        guard let tagsPacket = try nextRawPacket() else { throw .missingOpusTags }
        tags = try OpusTags.parse(tagsPacket)
    }

    /// The next audio packet, or nil at the end of the stream.
    public func nextPacket() throws(OggOpusError) -> OggOpusPacket? {
        guard let (data, granule) = try nextRawPacketWithGranule() else { return nil }
        guard let samples = OpusPacketDuration.sampleCount(of: data) else {
            throw .invalidOpusPacket(index: audioPacketIndex)
        }
        audioPacketIndex += 1
        return OggOpusPacket(data: data, sampleCount: samples, granulePosition: granule)
    }

    /// Every remaining audio packet.
    public func readAllPackets() throws(OggOpusError) -> [OggOpusPacket] {
        var packets: [OggOpusPacket] = []
        while let packet = try nextPacket() { packets.append(packet) }
        return packets
    }

    private func nextRawPacket() throws(OggOpusError) -> [UInt8]? {
        try nextRawPacketWithGranule()?.data
    }

    private func nextRawPacketWithGranule() throws(OggOpusError) -> (data: [UInt8], granule: Int64?)? {
        while readyIndex == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            guard !reachedEndOfStream else { return nil }
            guard let page = try pages.nextPage() else {
                endOfInput = true
                return nil
            }
            guard page.serialNumber == serialNumber else { continue }
            try accept(page)
        }
        defer { readyIndex += 1 }
        return ready[readyIndex]
    }

    /// Splits a page into packets, joining a packet continued from the previous page.
    private func accept(_ page: OggPage) throws(OggOpusError) {
        guard page.sequenceNumber == nextSequence else {
            throw .pageSequenceGap(expected: nextSequence, found: page.sequenceNumber)
        }
        nextSequence = page.sequenceNumber &+ 1
        guard page.flags.contains(.continued) == (partial != nil) else {
            throw .brokenPacketContinuation(pageSequence: page.sequenceNumber)
        }
        var current = partial ?? []
        var offset = 0
        var completed: [[UInt8]] = []
        for value in page.lacingValues {
            current.append(contentsOf: page.body[offset..<offset + Int(value)])
            offset += Int(value)
            if value < 255 {
                completed.append(current)
                current = []
            }
        }
        partial = page.lacingValues.last == 255 ? current : nil
        for (index, packet) in completed.enumerated() {
            // The page's granule position belongs to the last packet that ends on it.
            let granule = index == completed.count - 1 ? page.granulePosition : nil
            ready.append((packet, granule))
        }
        if page.granulePosition != OggPage.noGranule { lastGranulePosition = page.granulePosition }
        if page.flags.contains(.endOfStream) {
            reachedEndOfStream = true
            if partial != nil { throw .brokenPacketContinuation(pageSequence: page.sequenceNumber) }
        }
    }
}
