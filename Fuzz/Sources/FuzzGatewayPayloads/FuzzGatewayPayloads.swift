@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: one main or voice gateway JSON message: envelope and every field reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.gatewayPayload(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
