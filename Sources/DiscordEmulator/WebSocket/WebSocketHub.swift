/// A hub that serves WebSocket connections (the gateway, the voice gateway): what the shared
/// channel handler tells it about each connection, by the id the hub gave it when it opened.
protocol WebSocketHub: Sendable {
    /// A text or binary frame from the client.
    func receive(connectionID: Int, bytes: [UInt8], binary: Bool)
    /// The client sent a close frame (`code`: nil when it carried none).
    func peerClosed(connectionID: Int, code: UInt16?)
    /// The socket is gone.
    func disconnected(connectionID: Int)
}
