@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: what an isolated plugin's process sends the host.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.isolationFrames(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
