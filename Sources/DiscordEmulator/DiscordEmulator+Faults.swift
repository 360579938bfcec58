/// Misbehaving on purpose, and bending time.
extension DiscordEmulator {
    /// Applies a gateway fault to every live connection, or only to one shard's.
    public func inject(_ fault: GatewayFault, shard: Int? = nil) {
        let affected = hub.apply(fault, shard: shard)
        env.recorder.record(RecordedFault(
            description: "gateway \(fault)" + (shard.map { " on shard \($0)" } ?? ""), affected: affected, timeMs: env.clock.nowMs()))
    }

    /// Queues a REST fault; each request it answers is recorded as a fault too.
    public func injectREST(_ fault: RESTFault) {
        rest.faults.add(fault)
        env.recorder.record(RecordedFault(description: "REST queued \(fault)", affected: 0, timeMs: env.clock.nowMs()))
    }

    /// Moves the emulator's clock forward: message ages (30046), the 3-second interaction
    /// window, token lifetimes, rate-limit windows and the identify interval all follow it.
    public func advanceClock(ms: Int64) {
        env.clock.advance(ms: ms)
    }
}

extension DiscordEmulator {
    /// Stops real time from moving the emulator's clock; only `advanceClock` moves it then.
    /// For tests whose outcome must not depend on how fast the machine is. Every window follows
    /// this clock, the gateway's 120-payloads-per-minute and 5-second identify spacing included,
    /// so a long frozen test has to advance the clock for those to reset.
    public func freezeClock() { env.clock.freeze() }

    public func unfreezeClock() { env.clock.unfreeze() }
}
