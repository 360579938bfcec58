import BotHostCore
import PluginAPI
import Synchronization

/// A plugin's offer to answer requests on one topic.
package final class BusService: @unchecked Sendable {
    package let topic: String
    package let registration: Registration
    /// Strong, like a subscription's owner: a request in flight may outlive the plugin's removal.
    package let owner: PluginInstance
    package let fn: bothost_bus_serve_fn

    package init(topic: String, registration: Registration, owner: PluginInstance, fn: @escaping bothost_bus_serve_fn) {
        self.topic = topic
        self.registration = registration
        self.owner = owner
        self.fn = fn
    }
}

/// Request/reply over the bus: one server per topic; each request is answered exactly once — by
/// the server's reply, the timeout, "no responder", or a cancellation.
package final class RequestBroker: Sendable {
    private struct Pending {
        let requester: PluginInstance
        let serviceHandle: UInt64
        let server: PluginInstance
        let timer: TimerScheduler.Token
        let reply: bothost_reply_fn
    }
    private struct State {
        var services: [String: BusService] = [:]
        var pending: [UInt64: Pending] = [:]
    }
    private let state = Mutex(State())
    private let scheduler: TimerScheduler

    package init(scheduler: TimerScheduler) { self.scheduler = scheduler }

    // MARK: services

    package func addService(_ service: BusService) throws(HostCallError) {
        let existing: BusService? = state.withLock { s in
            if let current = s.services[service.topic] { return current }
            s.services[service.topic] = service
            return nil
        }
        if let existing {
            throw HostCallError(Status.conflict, "topic \(service.topic) is already served by plugin \(existing.owner.name)")
        }
    }

    /// Removes a service; its unanswered requests get BOTHOST_E_NO_RESPONDER.
    package func removeService(_ service: BusService) {
        let orphaned: [UInt64] = state.withLock { s in
            if s.services[service.topic] === service { s.services[service.topic] = nil }
            return s.pending.filter { $0.value.serviceHandle == service.registration.handle }.map(\.key)
        }
        for handle in orphaned {
            finish(handle, status: Status.noResponder, payload: Array("the server of \(service.topic) stopped before replying".utf8))
        }
    }

    package var serviceTopics: [String: String] { state.withLock { $0.services.mapValues { $0.owner.name } } }

    // MARK: requests

    /// Sends a request whose registration the requester already holds. The reply callback is made
    /// exactly once, then the registration's user_data is freed.
    package func send(from requester: PluginInstance, registration: Registration, topic: String, payload: [UInt8],
              timeoutMs: UInt32, reply fn: @escaping bothost_reply_fn) {
        let handle = registration.handle
        let userData = UnsafeSendable(registration.userData)
        registration.teardown = { [weak self] why in
            self?.forget(handle)
            if case .unregistered = why {
                requester.executor.submit {
                    guard requester.acceptsCallbacks else { return }
                    fn(userData.value, handle, Status.cancelled, bothost_bytes(ptr: nil, len: 0))
                }
            }
        }
        let service: BusService? = state.withLock { $0.services[topic] }
        guard let service, service.registration.isActive, service.owner.acceptsCallbacks else {
            deliver(handle, to: requester, reply: fn, status: Status.noResponder, payload: Array("no plugin serves \(topic)".utf8))
            return
        }
        let timeout = UInt64(timeoutMs == 0 ? 5000 : timeoutMs) * 1_000_000
        // The timer is armed under the lock that records the request: a timeout that fired before
        // the entry existed would find nothing to finish, and the request would never be answered.
        // (Lock order: the broker's, then the scheduler's; the scheduler runs actions unlocked.)
        state.withLock { s in
            // In the requester's lane: a flood of its own timeouts cannot delay other plugins' timers.
            let timer = scheduler.schedule(afterNs: timeout, lane: requester.timerLane) { [weak self] in
                self?.finish(handle, status: Status.timeout, payload: Array("no reply from \(topic) within \(timeout / 1_000_000) ms".utf8))
            }
            s.pending[handle] = Pending(requester: requester, serviceHandle: service.registration.handle, server: service.owner,
                                        timer: timer, reply: fn)
        }
        let message = UnsafeSendable((Array(topic.utf8), payload))
        service.owner.callback(service.registration) {
            let (topicBytes, body) = message.value
            withCStr(topicBytes) { topicStr in
                withCBytes(body) { bytes in
                    service.fn(service.registration.userData, handle, topicStr, bytes)
                }
            }
        }
    }

    /// A server's answer. Fails if the request is unknown to this server or was already answered.
    package func reply(from server: PluginInstance, handle: UInt64, status: bothost_status, payload: [UInt8]) throws(HostCallError) {
        let known = state.withLock { $0.pending[handle].map { $0.server === server } ?? false }
        guard known else {
            throw HostCallError(Status.notFound, "request \(handle) is not waiting for a reply from \(server.name) (already answered, timed out or cancelled)")
        }
        finish(handle, status: status, payload: payload)
    }

    /// Completes a pending request once (whichever of reply, timeout or orphaning comes first).
    private func finish(_ handle: UInt64, status: bothost_status, payload: [UInt8]) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: handle) }) else { return }
        scheduler.cancel(pending.timer)
        deliver(handle, to: pending.requester, reply: pending.reply, status: status, payload: payload)
    }

    private func deliver(_ handle: UInt64, to requester: PluginInstance, reply fn: @escaping bothost_reply_fn,
                         status: bothost_status, payload: [UInt8]) {
        guard let registration = requester.take(handle) else { return }
        requester.complete(registration) {
            withCBytes(payload) { fn(registration.userData, handle, status, $0) }
        }
    }

    /// The requester unregistered or stopped: drop the pending entry without answering it here.
    private func forget(_ handle: UInt64) {
        if let pending = state.withLock({ $0.pending.removeValue(forKey: handle) }) {
            scheduler.cancel(pending.timer)
        }
    }

    package var pendingCount: Int { state.withLock { $0.pending.count } }
}
