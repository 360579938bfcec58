@_spi(Fuzzing) import BotHost

/// libFuzzer's per-input callback: plugins.json: parse, render, re-parse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.pluginsFile(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
