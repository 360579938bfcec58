import Foundation

/// Writes an Ogg Opus stream (RFC 7845) packet by packet to a file, without re-encoding: OpusHead
/// and OpusTags each on their own page, then audio pages whose granule positions count 48 kHz
/// samples (pre-skip included), closed at least every `maxPageDuration` samples so a crash loses
/// at most about that much audio, and a final page marked end-of-stream.
///
/// One writer belongs to one recording; it is not thread-safe.
public final class OggOpusWriter {
    public struct Configuration: Sendable {
        public var channelCount: Int
        public var preSkip: UInt16
        public var inputSampleRate: UInt32
        public var outputGain: Int16
        public var vendor: String
        /// `NAME=value` comments, e.g. "TITLE=…".
        public var comments: [String]
        public var serialNumber: UInt32
        /// Longest audio a page may hold before it is written out, in 48 kHz samples (1 s).
        public var maxPageDuration: Int

        public init(
            channelCount: Int = 2, preSkip: UInt16 = 312, inputSampleRate: UInt32 = 48_000, outputGain: Int16 = 0,
            vendor: String = "BotHost AudioFiles", comments: [String] = [],
            serialNumber: UInt32 = UInt32.random(in: 1...UInt32.max), maxPageDuration: Int = 48_000
        ) {
            self.channelCount = channelCount
            self.preSkip = preSkip
            self.inputSampleRate = inputSampleRate
            self.outputGain = outputGain
            self.vendor = vendor
            self.comments = comments
            self.serialNumber = serialNumber
            self.maxPageDuration = maxPageDuration
        }
    }

    private let handle: FileHandle
    private let closesHandle: Bool
    private let configuration: Configuration
    private var pager: OggPacketPager
    /// Samples (48 kHz) of every packet written so far, pre-skip included: the next granule base.
    public private(set) var granulePosition: Int64 = 0
    /// Granule position of the last page written to the file.
    private var lastWrittenGranule: Int64 = 0
    private var pendingDuration = 0
    private var packetsWritten = 0
    private var finished = false
    private var handleClosed = false

    /// Starts a stream on `handle` at its current offset and writes the two header pages now.
    public convenience init(handle: FileHandle, configuration: Configuration = Configuration()) throws(OggOpusError) {
        try self.init(handle: handle, closesHandle: false, configuration: configuration)
    }

    /// Creates (or truncates) the file at `path` and starts a stream in it.
    public convenience init(path: String, configuration: Configuration = Configuration()) throws(OggOpusError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else { throw .io("cannot create \(path)") }
        try self.init(handle: handle, closesHandle: true, configuration: configuration)
    }

    private init(handle: FileHandle, closesHandle: Bool, configuration: Configuration) throws(OggOpusError) {
        guard (1...2).contains(configuration.channelCount) else { throw .invalidChannelCount(configuration.channelCount) }
        self.handle = handle
        self.closesHandle = closesHandle
        self.configuration = configuration
        self.pager = OggPacketPager(serialNumber: configuration.serialNumber)
        let head = OpusHead(
            channelCount: UInt8(configuration.channelCount), preSkip: configuration.preSkip,
            inputSampleRate: configuration.inputSampleRate, outputGain: configuration.outputGain)
        // RFC 7845 §3: OpusHead alone on the first page, OpusTags ending its own page.
        try writeHeaderPage(head.packet())
        try writeHeaderPage(OpusTags(vendor: configuration.vendor, comments: configuration.comments).packet())
    }

    deinit {
        // A writer dropped without `finish` leaves a file readable up to its last whole page.
        closeIfOwned()
    }

    /// Appends one Opus packet; its duration comes from its TOC byte.
    public func write(packet: [UInt8]) throws(OggOpusError) {
        guard let samples = OpusPacketDuration.sampleCount(of: packet) else { throw .invalidOpusPacket(index: packetsWritten) }
        try write(packet: packet, sampleCount: samples)
    }

    /// Appends one Opus packet that decodes to `sampleCount` samples per channel at 48 kHz.
    public func write(packet: [UInt8], sampleCount: Int) throws(OggOpusError) {
        guard !finished else { throw .writerFinished }
        guard sampleCount > 0, sampleCount <= 5_760 else { throw .invalidSampleCount(sampleCount) }
        // Close the pending page before this packet once it holds enough audio; doing it here rather
        // than after the packet keeps at least one packet back for the end-of-stream page.
        if pendingDuration >= configuration.maxPageDuration {
            try emit(pager.flush())
            pendingDuration = 0
        }
        granulePosition += Int64(sampleCount)
        for page in pager.append(packet: packet, granulePosition: granulePosition) { try emit(page) }
        pendingDuration += sampleCount
        packetsWritten += 1
    }

    /// Writes the last page, marked end-of-stream, and closes the file if this writer opened it.
    /// `trimmedSampleCount`, the length of the original audio in 48 kHz samples, lets the last page
    /// say where the audio really ends (RFC 7845 §4.4), so decoders drop the encoder's padding and
    /// the output is exactly as long as the input.
    public func finish(trimmedSampleCount: Int64? = nil) throws(OggOpusError) {
        guard !finished else { throw .writerFinished }
        var granule = granulePosition
        if let trimmedSampleCount {
            let requested = Int64(configuration.preSkip) + trimmedSampleCount
            guard requested >= lastWrittenGranule, requested <= granulePosition else {
                throw .invalidEndTrim(requestedGranule: requested, minimum: lastWrittenGranule, maximum: granulePosition)
            }
            granule = requested
        }
        finished = true
        try emit(pager.flush(endOfStream: true, granuleOverride: granule))
        closeIfOwned()
    }

    private func closeIfOwned() {
        guard closesHandle, !handleClosed else { return }
        handleClosed = true
        try? handle.close()
    }

    private func writeHeaderPage(_ packet: [UInt8]) throws(OggOpusError) {
        for page in pager.append(packet: packet, granulePosition: 0) { try emit(page) }
        try emit(pager.flush())
    }

    private func emit(_ page: OggPage) throws(OggOpusError) {
        do {
            try handle.write(contentsOf: page.serialized())
        } catch {
            throw .io(String(describing: error))
        }
        if page.granulePosition != OggPage.noGranule { lastWrittenGranule = page.granulePosition }
    }
}
