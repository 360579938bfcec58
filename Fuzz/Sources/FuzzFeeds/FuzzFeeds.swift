@_spi(Fuzzing) import GameSessionsCore

/// libFuzzer's per-input callback: GameSessions: OpenRA and generic feeds (and rendering what they hold), the plugin's config.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FeedFuzzEntry.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
