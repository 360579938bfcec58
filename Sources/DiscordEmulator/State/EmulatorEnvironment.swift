/// What every part of the emulator shares: configuration, clock, ids, the fixed topology, the
/// recorder and the bound ports.
struct EmulatorEnvironment: Sendable {
    let configuration: EmulatorConfiguration
    let clock: EmulatorClock
    let snowflakes: SnowflakeGenerator
    let topology: Topology
    let recorder: Recorder
    let boundPort: Locked<Int>
    let boundGatewayPort: Locked<Int>

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
        clock = EmulatorClock()
        snowflakes = SnowflakeGenerator(clock: clock)
        topology = Topology(configuration: configuration)
        recorder = Recorder()
        boundPort = Locked(0)
        boundGatewayPort = Locked(0)
    }

    var port: Int { boundPort.withLock { $0 } }
    var gatewayPort: Int { boundGatewayPort.withLock { $0 } }
    var gatewayURL: String { "ws://127.0.0.1:\(gatewayPort)/gateway" }
    /// READY's resume_gateway_url: a distinct path on the gateway host, so tests can tell that a
    /// client resumed where Discord told it to.
    var resumeGatewayURL: String { "ws://127.0.0.1:\(gatewayPort)/gateway/resume" }
    var apiBaseURL: String { "http://127.0.0.1:\(port)/api/v10" }
}
