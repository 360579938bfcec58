@testable import BotHost
import Foundation
import Logging
import Synchronization
import Testing

/// An isolated plugin's process lives as long as the host, whichever thread started it: its
/// parent-death signal follows the thread that forked it, and the threads that load plugins (the
/// concurrency pool's) come and go.
@Suite struct PluginProcessSpawnTests {
    @Test func aPluginProcessOutlivesTheThreadThatStartedIt() throws {
        let library = try Fixtures.fixture("probe")
        let settings = { var settings = PluginIsolation(); settings.mode = .process; return settings }()
        let spawned = Spawned()
        let thread = Thread {
            let result = PluginProcess.spawn(library: library, name: "probe", settings: settings,
                                             logger: Logger(label: "bothost"), deadlineMs: 30_000)
            spawned.result.withLock { $0 = result }
        }
        thread.start()
        while !thread.isFinished { usleep(1000) }
        let result = try #require(spawned.result.withLock { $0 })
        guard case .success(let (process, _)) = result else {
            Issue.record("the probe did not load: \(result)")
            return
        }
        // The thread has ended; a signal tied to it has had time to arrive and the child to be reaped.
        usleep(300_000)
        #expect(kill(process.pid, 0) == 0, "the plugin's process died with the thread that started it")
        process.end()
    }

    private final class Spawned: Sendable {
        let result = Mutex<Result<(PluginProcess, PluginDescriptor), PluginRefusal>?>(nil)
    }
}
