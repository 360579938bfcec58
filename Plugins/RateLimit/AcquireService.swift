import PluginKit
import StrictJSON

/// `ratelimit.acquire`, and the sweep that keeps idle limiter keys from piling up.
extension RateLimitPlugin {
    func acquire(_ message: BusMessage) throws -> RawJSON {
        let request = try JSONFields.decode(AcquireRequest.self, from: message.payload, what: "the request")
        let limiter = try limiters.limiter(request.limiter)
        guard request.cost <= limiter.spec.burst else {
            throw FieldError("cost", "is \(request.cost), more than the limiter's burst of \(limiter.spec.burst): it could never be allowed")
        }
        return limiter.acquire(request.key, cost: request.cost, nowMs: host.nowMilliseconds).reply
    }

    func sweepLimiters() {
        let dropped = limiters.sweep(nowMs: host.nowMilliseconds)
        if dropped > 0 { host.log.debug("dropped \(dropped) idle limiter keys; \(limiters.keyCount) remain") }
    }
}
