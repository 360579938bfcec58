@testable import BotHost
import Testing

// Barriers, for tests that assert something did NOT happen. Each returns once an event known to
// come after the unwanted one has happened, so the absence checked afterwards is a fact about the
// code, not a guess about how fast the machine is. (To wait for something that should happen,
// use `eventually`.)

extension TimerScheduler {
    /// Returns once every action due at the clock's current reading has run, in every lane.
    func caughtUp() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            afterDueActions { done.resume() }
        }
    }
}

extension PluginExecutor {
    /// Returns once every job queued on this executor before the call has run: a ping through
    /// the same serial queue.
    func caughtUp() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            submit { done.resume() }
        }
    }
}

extension TestHost {
    /// The executor of a running plugin (kept by a test that wants to ping it after a stop).
    func executor(of plugin: String) -> PluginExecutor? {
        runtime.liveInstances.first { $0.name == plugin }?.executor
    }

    /// How many handles (subscriptions, timers, calls in flight…) a running plugin holds.
    func registrationCount(of plugin: String) -> Int? {
        runtime.liveInstances.first { $0.name == plugin }?.registrationCount
    }

    /// Every host timer due at the current time has fired, and then the plugin has run every job
    /// queued for it so far (deliveries, timer callbacks, replies): whatever the plugin was to do
    /// by now, it has done, and its publishes have reached the test's tap.
    func settled(_ plugin: String) async {
        await runtime.scheduler.caughtUp()
        guard let executor = executor(of: plugin) else {
            Issue.record("\(plugin) is not running, so it cannot be waited for")
            return
        }
        await executor.caughtUp()
        // An isolated plugin's callbacks then run in its process: wait for those too.
        if let process = runtime.liveInstances.first(where: { $0.name == plugin })?.library.process {
            _ = try? await Fixtures.offPool { process.caughtUp() }
        }
    }
}
