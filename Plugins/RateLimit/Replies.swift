import PluginKit

// Replies hold only numbers and booleans, so they are written directly: no encoder on the hot path.

extension VoiceStatus {
    /// {"allowed": true, "usedMs": …, "remainingMs": …, "limitMs": …, "resetsAtMs": …}
    var reply: RawJSON {
        RawJSON("{\"allowed\":\(allowed),\"usedMs\":\(usedMs),\"remainingMs\":\(remainingMs),\"limitMs\":\(limitMs),\"resetsAtMs\":\(resetsAtMs)}")
    }
}

extension LimitDecision {
    /// {"allowed": false, "remaining": …, "retryAfterMs": …, "resetAfterMs": …}
    var reply: RawJSON {
        RawJSON("{\"allowed\":\(allowed),\"remaining\":\(remaining),\"retryAfterMs\":\(retryAfterMs),\"resetAfterMs\":\(resetAfterMs)}")
    }
}
