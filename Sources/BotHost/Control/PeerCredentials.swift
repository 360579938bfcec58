import Foundation

/// Who is at the other end of a connected Unix socket, as the kernel recorded it when the peer
/// connected (SO_PEERCRED): it cannot be claimed or forged by the peer.
struct PeerCredentials: Equatable, Sendable {
    let pid: Int32
    let uid: uid_t
    let gid: gid_t

    /// The credentials of `fd`'s peer; nil when the socket has none (not a connected Unix socket).
    init?(socket fd: Int32) {
        // struct ucred: pid_t, uid_t, gid_t (Linux).
        var fields: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: fields))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &fields, &length) == 0,
              Int(length) == MemoryLayout.size(ofValue: fields) else { return nil }
        pid = fields.0
        uid = fields.1
        gid = fields.2
    }

    /// Whether a peer may control a host running as `hostUID`: the same user, or root.
    func mayControl(hostUID: uid_t) -> Bool { uid == hostUID || uid == 0 }
}
