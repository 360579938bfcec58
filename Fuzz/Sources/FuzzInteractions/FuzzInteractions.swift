@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: INTERACTION_CREATE payloads and typed command lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.interaction(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
