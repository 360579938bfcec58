@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: control socket request lines: parse, encode, re-parse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.controlRequests(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
