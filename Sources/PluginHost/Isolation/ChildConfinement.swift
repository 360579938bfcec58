import CProcessControl
import Foundation

/// What an isolated plugin's process does to itself before it loads the plugin, so that the
/// plugin can take nothing the host did not give it: no descriptor but its channel and output, no
/// new privileges through exec, no core dumps, its memory unreadable to other processes of the
/// same user, and hard limits on memory and open files that it cannot raise again. It does not
/// outlive the host: the host's end of the channel closes with the host, and the child exits at
/// the end of the stream. (PR_SET_PDEATHSIG would fire when the host *thread* that spawned it
/// ends, not the host.)
package enum ChildConfinement {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    package static func apply(memoryMB: Int, openFiles: Int) throws(Failure) {
        func check(_ result: Int32, _ what: String) throws(Failure) {
            if result != 0 { throw Failure(description: "\(what) failed: \(String(cString: strerror(errno)))") }
        }
        // No descriptor is closed here: the spawn closed every inherited one above 3 before exec
        // (ChildSpawn), and those open now are this process's own runtime's (the dispatch event
        // loop's epoll among them, whose loss crashed the process at random).
        // Set before main on the main thread (see process_control.h); this thread too, to be sure.
        try check(bothost_set_no_new_privs(), "PR_SET_NO_NEW_PRIVS")
        try check(bothost_set_not_dumpable(), "PR_SET_DUMPABLE")
        try limit(RLIMIT_CORE, 0, "RLIMIT_CORE")
        try limit(RLIMIT_DATA, UInt64(memoryMB) << 20, "RLIMIT_DATA")
        try limit(RLIMIT_NOFILE, UInt64(openFiles), "RLIMIT_NOFILE")
    }

    /// Sets soft and hard limit alike: an unprivileged process can lower a hard limit, never raise it.
    private static func limit(_ resource: __rlimit_resource, _ value: UInt64, _ name: String) throws(Failure) {
        var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        if setrlimit(__rlimit_resource_t(resource.rawValue), &limit) != 0 {
            throw Failure(description: "\(name) \(value) failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// What the host does for itself before its plugins start: it marks itself not dumpable, so a
/// process of the same user — an isolated plugin's included — can neither read its memory (where
/// the token is) through /proc/PID/mem or ptrace, nor reopen its files through /proc/PID/fd. Only
/// root can. (It also means no core dump of the host.)
package enum HostMemoryProtection {
    package static func apply() -> Bool { bothost_set_not_dumpable() == 0 }
}
