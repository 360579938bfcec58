import BotHostCore
import Foundation

/// Asks the host running on a data directory over its control socket (`ControlSocket`): one
/// request, one reply. Blocking: call it from a command-line tool or a thread of its own.
public enum ControlClient {
    public enum Failure: Error, CustomStringConvertible {
        /// Nothing listens there: no host runs on this data directory.
        case noHost(socket: String)
        /// The socket belongs to another user.
        case permissionDenied(socket: String)
        /// The connection failed, or the host's answer was not a reply.
        case failed(socket: String, reason: String)

        public var description: String {
            switch self {
            case .noHost(let socket):
                "no host is running on this data directory (nothing listens on \(socket)). "
                    + "Start one with `bothost run` (or `bothost sandbox`) with the same --config and --data-dir"
            case .permissionDenied(let socket):
                "permission denied on \(socket): the host runs as another user. Fix: run this command as that user (or root)"
            case .failed(let socket, let reason):
                "the host's control socket \(socket) did not answer: \(reason)"
            }
        }
    }

    /// The longest reply read (a list of many plugins with long refusals stays far below it).
    static let maxReplyBytes = 8 << 20
    /// How long to wait for a reply: a reload runs the plugin's stop and start, each under its deadline.
    static let replyTimeoutSeconds = 300

    /// Sends `request` to the host running on `dataDirectory` and returns its reply object.
    public static func send(_ request: ControlRequest, dataDirectory: String) throws(Failure) -> JSONObject {
        let socket = ControlSocket.path(dataDirectory: dataDirectory)
        let fd: Int32
        do { fd = try UnixSocket.connect(path: socket) } catch {
            switch error.code {
            case ENOENT, ECONNREFUSED: throw .noHost(socket: socket)
            case EACCES, EPERM: throw .permissionDenied(socket: socket)
            default: throw .failed(socket: socket, reason: error.description)
            }
        }
        defer { close(fd) }
        // A host that refuses the connection says why and closes it, maybe before the request is
        // written: its reply is read even when the write failed.
        let sent = UnixSocket.writeAll(fd, request.json.compactBytes + [UInt8(ascii: "\n")])
        UnixSocket.setReadTimeout(fd, seconds: replyTimeoutSeconds)
        var reader = SocketLineReader(fd: fd, limit: maxReplyBytes)
        guard case .line(let line) = reader.next() else {
            throw .failed(socket: socket, reason: sent ? "no reply (the host closed the connection or took longer than \(replyTimeoutSeconds) s)"
                                                       : "the connection closed before the request was sent")
        }
        guard let reply = (try? JSONValue.parse(line))?.objectValue, reply["ok"]?.boolValue != nil else {
            throw .failed(socket: socket, reason: "the reply is not a JSON object with \"ok\"")
        }
        return reply
    }
}
