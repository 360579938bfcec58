@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: voice datagrams: RTP header, transport cipher open, receive pipeline, IP discovery.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.voiceMedia(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
