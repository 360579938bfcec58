@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: DAVE's voice gateway messages (both directions) and media frames.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.dave(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
