@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: gateway WebSocket frames through the zlib-stream inflater, then each message's envelope and fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.gatewayFrames(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
