import CProcessControl
import Foundation

/// Starts an isolated plugin's process with nothing of the host's but what it is given: the
/// channel as fd 3, its output pipe as fds 1 and 2, /dev/null as fd 0, every other descriptor
/// closed, default signal handling, an empty signal mask, its own session (a Ctrl-C at the
/// host's terminal reaches the host, which ends its children in order) and the given environment.
///
/// Every child is started from one thread that lives as long as the host: the child's
/// parent-death signal (PR_SET_PDEATHSIG, SIGKILL) fires when the *thread* that started it ends,
/// not the process, and the concurrency pool retires its idle threads after a few seconds, which
/// killed the plugins started from them.
enum ChildSpawn {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(executable: String, arguments: [String], environment: [String], channel: Int32, output: Int32) -> Result<pid_t, Failure> {
        SpawnThread.shared.perform {
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
}

/// The thread that starts isolated plugins' processes: started on first use, never ended.
private final class SpawnThread: @unchecked Sendable {  // `pending` is guarded by `condition`
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var pending: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "plugin-spawn"
        thread.start()
    }

    /// Runs `body` on the spawn thread and returns its result (blocks the caller meanwhile).
    func perform<T>(_ body: @escaping () -> T) -> T {
        let finished = DispatchSemaphore(value: 0)
        var result: T? = nil
        condition.lock()
        pending.append {
            result = body()
            finished.signal()
        }
        condition.signal()
        condition.unlock()
        finished.wait()
        guard let result else { preconditionFailure("the spawn thread signalled without a result") }
        return result
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            let jobs = pending
            pending.removeAll()
            condition.unlock()
            for job in jobs { job() }
        }
    }
}
