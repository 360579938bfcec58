/// A small, faithful Discord on loopback: REST under `/api/v10` on one port of 127.0.0.1 and
/// the gateway at `/gateway` on another (two hosts, as on Discord). It speaks Discord's wire protocol, enforces Discord's limits, can
/// inject faults, and records everything it receives and sends. The voice gateway and the voice
/// UDP port listen on two further ephemeral loopback ports (`voiceEndpoint`, `voiceUDPPort`).
public final class DiscordEmulator: Sendable {
    public enum Failure: Error, Sendable {
        case alreadyStarted
    }

    public let configuration: EmulatorConfiguration
    let env: EmulatorEnvironment
    let world = Locked(World())
    let hub: GatewayHub
    let rest: RESTService
    private let server: EmulatorServer
    private let gatewayServer: EmulatorServer
    private let voiceServer: VoiceServer
    private let started = Locked(false)

    public init(_ configuration: EmulatorConfiguration = .init()) {
        self.configuration = configuration
        env = EmulatorEnvironment(configuration: configuration)
        hub = GatewayHub(env: env, world: world)
        rest = RESTService(env: env, world: world, hub: hub)
        server = EmulatorServer(.api(rest))
        gatewayServer = EmulatorServer(.gateway(hub))
        voiceServer = VoiceServer(hub: hub.voice)
    }

    /// Listens on 127.0.0.1: REST on `port` (0 picks a free one; read it from `port`), the
    /// gateway and voice on free ports of their own.
    public func start(port: Int = 0) async throws {
        try started.withLock { started throws(Failure) in
            guard !started else { throw .alreadyStarted }
            started = true
        }
        do {
            let bound = try await server.start(port: port)
            env.boundPort.withLock { $0 = bound }
            let gatewayBound = try await gatewayServer.start(port: 0)
            env.boundGatewayPort.withLock { $0 = gatewayBound }
            try await voiceServer.start()
        } catch {
            await server.shutdown()
            await gatewayServer.shutdown()
            started.withLock { $0 = false }
            throw error
        }
    }

    /// Closes the listener and every connection. Recorded data stays readable.
    public func shutdown() async {
        await server.shutdown()
        await gatewayServer.shutdown()
        await voiceServer.shutdown()
    }

    /// The REST port.
    public var port: Int { env.port }
    public var gatewayPort: Int { env.gatewayPort }
    /// `http://127.0.0.1:<port>/api/v10`
    public var apiBaseURL: String { env.apiBaseURL }
    /// `ws://127.0.0.1:<gatewayPort>/gateway`
    public var gatewayURL: String { env.gatewayURL }
    /// The `resume_gateway_url` READY hands out.
    public var resumeGatewayURL: String { env.resumeGatewayURL }
}
