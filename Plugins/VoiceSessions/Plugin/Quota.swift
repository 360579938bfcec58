import Foundation
import PluginKit
import VoiceSessionsCore

/// The voice quota, asked of the RateLimit plugin over the bus (its README documents the shapes):
/// `ratelimit.voice.check` before a session starts, `ratelimit.voice.track` with the voice time of
/// every session as it runs (each monitor tick) and when it ends.
extension VoiceSessionsPlugin {
    static let checkTopic = "ratelimit.voice.check"
    static let trackTopic = "ratelimit.voice.track"

    /// Whether `key` may start a session (following `quota.whenUnavailable` when nobody answers).
    func checkQuota(_ key: SessionKey) async -> QuotaDecision {
        config.quota.decide(await askQuota(key), nowMs: host.nowMilliseconds)
    }

    /// The user's quota status, or why there is none.
    func askQuota(_ key: SessionKey) async -> QuotaOutcome {
        let request = QuotaRequest(userId: String(key.userID), guildId: String(key.guildID), durationMs: nil)
        return await ask(Self.checkTopic, request)
    }

    /// Reports voice time; voice time that cannot be reported now is kept and reported later. A
    /// user whose quota ran out loses their session.
    func reportUsage(_ durationMs: Int64, for key: SessionKey) {
        guard durationMs > 0 else { return }
        guard !isStopping else {
            pendingUsage.add(durationMs, for: key)
            return
        }
        spawn { plugin in
            let request = QuotaRequest(userId: String(key.userID), guildId: String(key.guildID), durationMs: durationMs)
            switch await plugin.ask(Self.trackTopic, request) {
            case .answered(let status):
                if !status.allowed { plugin.quotaRanOut(key, status) }
            case .unavailable(let why):
                plugin.host.log.warning("could not report \(durationMs) ms of voice time of \(key) (\(why)); will retry")
                plugin.pendingUsage.add(durationMs, for: key)
            }
        }
    }

    /// Reports voice time kept from earlier failures (or from before a restart).
    func flushPendingUsage() {
        for (key, durationMs) in pendingUsage.takeAll() { reportUsage(durationMs, for: key) }
    }

    private func quotaRanOut(_ key: SessionKey, _ status: QuotaStatus) {
        guard let session = book.session(key), session.isActive else { return }
        notify(session, "<@\(key.userID)>, your voice session ended: " + QuotaText.exhausted(status, nowMs: host.nowMilliseconds))
        endSession(key, reason: .quota)
    }

    private func ask(_ topic: String, _ request: QuotaRequest) async -> QuotaOutcome {
        do {
            let reply = try await host.bus.request(topic, json: request, timeout: .milliseconds(config.quota.timeoutMs))
            return .answered(try reply.decode(QuotaStatus.self))
        } catch let error as PluginError {
            switch error.code {
            case .noResponder: return .unavailable("nobody serves \(topic): is the ratelimit plugin running?")
            case .timeout: return .unavailable("\(topic) did not answer within \(config.quota.timeoutMs) ms")
            default: return .unavailable("\(topic) failed: \(error.message)")
            }
        } catch {
            return .unavailable("\(topic) failed: \(error)")
        }
    }
}

/// The request body of `ratelimit.voice.check` (no duration) and `ratelimit.voice.track`.
private struct QuotaRequest: Encodable, Sendable {
    let userId: String
    let guildId: String
    let durationMs: Int64?
}
