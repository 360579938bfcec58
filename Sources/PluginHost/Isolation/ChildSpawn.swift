import CProcessControl
import Foundation

/// Starts an isolated plugin's process with nothing of the host's but what it is given: the
/// channel as fd 3, its output pipe as fds 1 and 2, /dev/null as fd 0, every other descriptor
/// closed, default signal handling, an empty signal mask, its own session (a Ctrl-C at the
/// host's terminal reaches the host, which ends its children in order) and the given environment.
enum ChildSpawn {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(executable: String, arguments: [String], environment: [String], channel: Int32, output: Int32) -> Result<pid_t, Failure> {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: Int32 = 0
        let result = bothost_spawn_isolated(executable, argv, envp, channel, output, &pid)
        guard result == 0 else { return .failure(Failure(description: String(cString: strerror(result)))) }
        return .success(pid)
    }
}
