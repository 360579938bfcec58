import Foundation
import Glibc

/// The few POSIX calls the control socket needs, on stream sockets in the file system (AF_UNIX):
/// listen and connect by path, write a whole buffer, read one line up to a limit. Blocking calls,
/// made on threads of their own (never on the shared task pool).
enum UnixSocket {
    /// A failed call: which, on what, and the system's reason.
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let path: String
        let code: Int32

        init(_ call: String, _ path: String, code: Int32 = errno) {
            self.call = call
            self.path = path
            self.code = code
        }

        var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
    }

    /// The longest path a socket address holds (sun_path, less its terminating zero).
    static var maxPathBytes: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// Binds a new socket at `path`, gives the file `mode`, then listens: the mode is set before
    /// anyone can connect.
    static func listen(path: String, mode: mode_t, backlog: Int32 = 16) throws(Failure) -> Int32 {
        let fd = try stream(path)
        do throws(Failure) {
            try withAddress(path) { address, length throws(Failure) in
                guard bind(fd, address, length) == 0 else { throw Failure("bind", path) }
            }
            guard chmod(path, mode) == 0 else { throw Failure("chmod", path) }
            guard Glibc.listen(fd, backlog) == 0 else { throw Failure("listen", path) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Connects to the socket at `path`.
    static func connect(path: String) throws(Failure) -> Int32 {
        let fd = try stream(path)
        do throws(Failure) {
            try withAddress(path) { address, length throws(Failure) in
                while Glibc.connect(fd, address, length) != 0 {
                    if errno != EINTR { throw Failure("connect", path) }
                }
            }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Bounds how long a read waits for the peer (an idle or stuck peer ends the read as `.ended`).
    static func setReadTimeout(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; false when the peer has gone. Never raises SIGPIPE.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    private static func stream(_ path: String) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket", path) }
        return fd
    }

    private static func withAddress<T>(_ path: String,
                                       _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> T) throws(Failure) -> T {
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes, !bytes.contains(0) else { throw Failure("address", path, code: ENAMETOOLONG) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { target in
            target.copyBytes(from: bytes)  // the rest stays zero: the path's terminator
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        return try withUnsafePointer(to: &address) { pointer throws(Failure) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(Failure) in try body(address, length) }
        }
    }
}

/// Reads newline-terminated lines from a socket, each at most `limit` bytes: a peer that sends
/// more without a newline gets `.tooLong` instead of making the reader buffer without end.
struct SocketLineReader {
    enum Next: Equatable {
        case line([UInt8])
        case tooLong
        /// The peer closed, the read timed out, or the socket failed: nothing more will come.
        case ended
    }

    private let fd: Int32
    private let limit: Int
    private var buffered: [UInt8] = []

    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
    }

    mutating func next() -> Next {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                guard newline <= limit else { return .tooLong }
                let line = Array(buffered[..<newline])
                buffered.removeSubrange(...newline)
                return .line(line)
            }
            guard buffered.count <= limit else { return .tooLong }
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                buffered += chunk[..<received]
            } else if received < 0 && errno == EINTR {
                continue
            } else {
                return .ended
            }
        }
    }
}
