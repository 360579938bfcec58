/// Everything the emulator saw and did, for tests to inspect. Lists are capped so a long
/// sandbox session does not grow without bound; the oldest entries go first.
final class Recorder: Sendable {
    static let cap = 100_000

    private struct Logs {
        var requests: [RecordedRequest] = []
        var frames: [RecordedGatewayFrame] = []
        var interactionResponses: [RecordedInteractionResponse] = []
        var identifies: [RecordedIdentify] = []
        var faults: [RecordedFault] = []
    }

    private let logs = Locked(Logs())

    private static func append<T>(_ item: T, to list: inout [T]) {
        if list.count >= cap { list.removeFirst(cap / 10) }
        list.append(item)
    }

    func record(_ request: RecordedRequest) { logs.withLock { Self.append(request, to: &$0.requests) } }
    func record(_ frame: RecordedGatewayFrame) { logs.withLock { Self.append(frame, to: &$0.frames) } }
    func record(_ response: RecordedInteractionResponse) { logs.withLock { Self.append(response, to: &$0.interactionResponses) } }
    func record(_ identify: RecordedIdentify) { logs.withLock { Self.append(identify, to: &$0.identifies) } }
    func record(_ fault: RecordedFault) { logs.withLock { Self.append(fault, to: &$0.faults) } }

    var requests: [RecordedRequest] { logs.withLock { $0.requests } }
    var frames: [RecordedGatewayFrame] { logs.withLock { $0.frames } }
    var identifies: [RecordedIdentify] { logs.withLock { $0.identifies } }
    var faults: [RecordedFault] { logs.withLock { $0.faults } }

    func interactionResponses(for id: UInt64) -> [RecordedInteractionResponse] {
        logs.withLock { $0.interactionResponses.filter { $0.interactionID == id } }
    }
}
