import BotHostCore
import Foundation
import Glibc
import Logging
import Synchronization

/// The running host's control socket, `<data directory>/control.sock`: how `bothost plugins list`
/// and `bothost plugins reload` reach the host (`ControlRequest`, `ControlAnswers`).
///
/// One host per data directory: claiming the socket takes an exclusive lock on the directory (held
/// until `close`, released by the kernel if the host dies), so a second host on the same directory
/// is refused, and a socket file left by a host that died is replaced. The file has mode 0600, and
/// every connection is checked again by the peer's credentials (SO_PEERCRED): only the host's own
/// user, or root, is served; anyone else is told so and logged.
///
/// Threading: a thread accepts; each served connection has a thread of its own (at most
/// `maxConnections`), which reads and writes blocking and waits for the answer's task. Nothing
/// here runs on the shared task pool.
public final class ControlSocket: Sendable {
    /// Why the socket could not be claimed.
    public enum ClaimFailure: Error, CustomStringConvertible {
        /// A host is already running on this data directory.
        case anotherHostRunning(dataDirectory: String, socket: String)
        /// The socket's path does not fit in a socket address.
        case pathTooLong(socket: String, limit: Int)
        /// The directory or the socket could not be made.
        case cannotCreate(path: String, reason: String)

        public var description: String {
            switch self {
            case .anotherHostRunning(let directory, let socket):
                "another bothost is already running on the data directory \(directory) (it holds \(socket)). "
                    + "Fix: stop that host first, or give this one its own --data-dir (or host.dataDirectory in plugins.json)"
            case .pathTooLong(let socket, let limit):
                "the control socket \(socket) is longer than the \(limit) bytes a socket path may have. "
                    + "Fix: use a data directory with a shorter path (--data-dir or host.dataDirectory in plugins.json)"
            case .cannotCreate(let path, let reason):
                "cannot create the control socket \(path): \(reason)"
            }
        }
    }

    /// Where the host running on `dataDirectory` listens.
    public static func path(dataDirectory: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("control.sock").path
    }

    /// Connections served at once; more are told the host is busy.
    static let maxConnections = 8
    /// A connection that sends nothing for this long is closed.
    static let idleSeconds = 60

    public let path: String
    private let listener: Int32
    /// The data directory, opened and locked for as long as the socket is ours.
    private let directoryLock: Int32
    private let hostUID: uid_t
    private let state = Mutex<State>(State())

    private struct State {
        var closed = false
        var connections: Set<Int32> = []
        var acceptThreadDone: DispatchSemaphore?
    }

    /// Claims the data directory (creating it when missing) and listens on its control socket.
    public static func claim(dataDirectory: String) throws(ClaimFailure) -> ControlSocket {
        let socketPath = path(dataDirectory: dataDirectory)
        guard socketPath.utf8.count <= UnixSocket.maxPathBytes else {
            throw .pathTooLong(socket: socketPath, limit: UnixSocket.maxPathBytes)
        }
        do {
            // As private as the database makes it (HostDatabase), whichever of the two comes first.
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotCreate(path: socketPath, reason: "the data directory cannot be created: \(error.localizedDescription)")
        }
        let directory = open(dataDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw .cannotCreate(path: socketPath, reason: UnixSocket.Failure("open", dataDirectory).description)
        }
        guard flock(directory, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(directory)
            if code == EWOULDBLOCK { throw .anotherHostRunning(dataDirectory: dataDirectory, socket: socketPath) }
            throw .cannotCreate(path: socketPath, reason: UnixSocket.Failure("flock", dataDirectory, code: code).description)
        }
        do throws(ClaimFailure) {
            // With the lock ours, a socket file still there is a dead host's.
            var existing = stat()
            if lstat(socketPath, &existing) == 0 {
                guard (existing.st_mode & S_IFMT) == S_IFSOCK else {
                    throw .cannotCreate(path: socketPath, reason: "a file that is not a socket is in the way. Fix: move it away")
                }
                guard unlink(socketPath) == 0 else {
                    throw .cannotCreate(path: socketPath, reason: UnixSocket.Failure("unlink", socketPath).description)
                }
            }
            let listener: Int32
            do { listener = try UnixSocket.listen(path: socketPath, mode: 0o600) } catch {
                throw .cannotCreate(path: socketPath, reason: error.description)
            }
            return ControlSocket(path: socketPath, listener: listener, directoryLock: directory)
        } catch {
            Glibc.close(directory)
            throw error
        }
    }

    private init(path: String, listener: Int32, directoryLock: Int32) {
        self.path = path
        self.listener = listener
        self.directoryLock = directoryLock
        self.hostUID = getuid()
    }

    /// Starts answering connections with `answers`, until `close`.
    public func serve(_ answers: ControlAnswers, logger: Logger) {
        let done = DispatchSemaphore(value: 0)
        let started = state.withLock { state -> Bool in
            guard !state.closed, state.acceptThreadDone == nil else { return false }
            state.acceptThreadDone = done
            return true
        }
        guard started else { return }
        let thread = Thread { [self] in
            acceptConnections(answers, logger: logger)
            done.signal()
        }
        thread.name = "bothost.control"
        thread.start()
        logger.info("control socket: \(path) (bothost plugins list|reload)")
    }

    /// Stops accepting, ends the open connections, removes the socket file and releases the data
    /// directory. Idempotent.
    public func close() {
        let (wasOpen, connections, acceptThreadDone) = state.withLock { state in
            defer { state.closed = true }
            return (!state.closed, state.connections, state.acceptThreadDone)
        }
        guard wasOpen else { return }
        // Wakes the accepting thread (accept fails) and every connection's read (it ends).
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        acceptThreadDone?.wait()
        unlink(path)
        Glibc.close(listener)
        Glibc.close(directoryLock)
    }

    deinit { close() }

    private func acceptConnections(_ answers: ControlAnswers, logger: Logger) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // not inherited by what plugins spawn
            if fd < 0 {
                if state.withLock({ $0.closed }) { return }
                if errno == EINTR || errno == ECONNABORTED { continue }
                // Out of descriptors or memory: keep the host running, try again shortly.
                logger.warning("control socket: accept failed: \(String(cString: strerror(errno)))")
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            guard let peer = PeerCredentials(socket: fd), peer.mayControl(hostUID: hostUID) else {
                refuse(fd, PeerCredentials(socket: fd), logger: logger)
                continue
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.closed, state.connections.count < Self.maxConnections else { return false }
                state.connections.insert(fd)
                return true
            }
            guard admitted else {
                UnixSocket.writeAll(fd, Self.line(ControlAnswers.error("the host is busy: \(Self.maxConnections) control connections are open; try again")))
                Glibc.close(fd)
                continue
            }
            let thread = Thread { [self] in
                serveConnection(fd, answers)
                state.withLock { _ = $0.connections.remove(fd) }
                Glibc.close(fd)
            }
            thread.name = "bothost.control.connection"
            thread.start()
        }
    }

    private func refuse(_ fd: Int32, _ peer: PeerCredentials?, logger: Logger) {
        let who = peer.map { "uid \($0.uid) (pid \($0.pid))" } ?? "a peer without credentials"
        logger.warning("control socket: refused a connection from \(who): only uid \(hostUID), the host's own user, or root may control this host")
        let text = "refused: this host runs as uid \(hostUID); \(peer.map { "uid \($0.uid)" } ?? "a peer without credentials") may not control it. "
            + "Fix: run the command as the host's user (or root)"
        UnixSocket.writeAll(fd, Self.line(ControlAnswers.error(text)))
        Glibc.close(fd)
    }

    /// Answers request lines until the peer closes, goes idle, or sends a line too long to read.
    private func serveConnection(_ fd: Int32, _ answers: ControlAnswers) {
        UnixSocket.setReadTimeout(fd, seconds: Self.idleSeconds)
        var reader = SocketLineReader(fd: fd, limit: ControlRequest.maxLineBytes)
        while true {
            switch reader.next() {
            case .ended:
                return
            case .tooLong:
                UnixSocket.writeAll(fd, Self.line(ControlAnswers.error("the request is longer than \(ControlRequest.maxLineBytes) bytes")))
                return
            case .line(let request):
                let reply = Self.wait { await answers.answer(line: request) }
                guard UnixSocket.writeAll(fd, Self.line(reply)) else { return }
            }
        }
    }

    /// Runs async work from this connection's own thread and waits for its result.
    private static func wait(_ work: @escaping @Sendable () async -> JSONValue) -> JSONValue {
        let result = Mutex<JSONValue?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 } ?? ControlAnswers.error("the host could not answer")
    }

    static func line(_ value: JSONValue) -> [UInt8] { value.compactBytes + [UInt8(ascii: "\n")] }
}
