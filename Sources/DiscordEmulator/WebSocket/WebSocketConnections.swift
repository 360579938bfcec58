/// What every hub keeps of a WebSocket connection; its own protocol's fields sit beside these.
protocol WebSocketConnection {
    var id: Int { get }
    var link: WebSocketLink { get }
    /// A close frame went out (or the socket is being dropped): nothing more is sent or accepted.
    var closing: Bool { get set }
}

/// A hub's WebSocket connections by id, and what happens to one whatever protocol it speaks:
/// numbering, the closing handshake, drops. Kept in the hub's locked state, so a close decided
/// under the lock is ordered with everything else the hub sends.
struct WebSocketConnections<Connection: WebSocketConnection> {
    private var byID: [Int: Connection] = [:]
    private var nextID = 1

    subscript(id: Int) -> Connection? {
        get { byID[id] }
        set { byID[id] = newValue }
    }

    var values: Dictionary<Int, Connection>.Values { byID.values }

    /// Adds the connection `make` builds for the next id, and returns that id.
    mutating func add(_ make: (Int) -> Connection) -> Int {
        let id = nextID
        nextID += 1
        byID[id] = make(id)
        return id
    }

    /// Forgets a connection whose socket is gone.
    mutating func remove(_ id: Int) -> Connection? {
        byID.removeValue(forKey: id)
    }

    /// The connection, unless it is gone or closing: only then may anything be sent to it.
    func open(_ id: Int) -> Connection? {
        guard let connection = byID[id], !connection.closing else { return nil }
        return connection
    }

    /// The ids of the open connections that `include` picks, in order (a fault's targets).
    func openIDs(where include: (Connection) -> Bool = { _ in true }) -> [Int] {
        byID.values.filter { !$0.closing && include($0) }.map(\.id).sorted()
    }

    /// Sends a close frame and hangs up once the client answers (or after a second).
    mutating func close(_ id: Int, code: UInt16, reason: String) {
        guard let connection = open(id) else { return }
        byID[id]?.closing = true
        connection.link.sendClose(code: code, reason: reason)
    }

    /// Hangs up with no close frame.
    mutating func drop(_ id: Int) {
        guard let connection = byID[id] else { return }
        byID[id]?.closing = true
        connection.link.hangUp()
    }

    /// The client sent a close frame: answered with its code unless the server closed first, then
    /// the hang-up.
    mutating func peerClosed(_ id: Int, code: UInt16?) {
        guard let connection = byID[id] else { return }
        if connection.closing {
            connection.link.hangUp()
        } else {
            byID[id]?.closing = true
            connection.link.answerClose(code: code ?? 1000)
        }
    }

    /// Hangs up every connection (the server is shutting down).
    func hangUpAll() {
        for connection in byID.values { connection.link.hangUp() }
    }
}
