import GameSessionsCore
import PluginKit

/// Everything the plugin sends to one channel goes through its lane: one call at a time, paced
/// within the channel's budget, from a queue in which each post waits at most once.
struct ChannelLane {
    var outbox = ChannelOutbox()
    var budget: PaceBudget
    /// What each post shows in this channel.
    var records: [PostID: PostRecord] = [:]
    /// The post whose call is on its way (at most one per channel, hence per session).
    var inFlight: PostID?
    /// No call before this (host ms): after a 429, a 5xx, or while the channel is unavailable.
    var pausedUntilMs: Int64 = 0
    /// Failed calls in a row, for the backoff.
    var failureStreak = 0
    /// The timer that resumes the lane after a wait.
    var wake: Registration?
    /// A problem already logged, so a broken channel is reported once, not on every retry.
    var reportedProblem: String?

    init(budget: PaceBudget.Limit) {
        self.budget = PaceBudget(budget)
    }
}
