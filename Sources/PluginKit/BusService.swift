extension Bus {
    /// Serves requests on an exact topic (one server per topic across the host).
    ///
    /// `handler` runs isolated to the plugin actor, in a Task per request; what it returns is sent
    /// back as JSON (a `RawJSON` as is). If it throws, the requester gets status `.plugin` (or the
    /// thrown `PluginError`'s code) and the payload `{"error": "…"}`.
    @discardableResult
    public func serve<Reply: Encodable & Sendable>(_ topic: String,
                                                   _ handler: nonisolated(nonsending) @escaping (BusMessage) async throws -> Reply) throws -> Registration {
        let serve = try host.table.require(\.bus_serve, "bus_serve")
        let erased: ServiceHandler = { request in try JSON.encode(try await handler(request)) }
        return try host.register(HandlerBox(host: host, handler: erased), "serve \(topic)") { userData, handle in
            withStr(topic) { serve(host.plugin, $0, requestArrived, userData, releaseCallbackBox, handle) }
        }
    }

    /// Sends a request to the topic's server and waits for its reply, at most `timeout`.
    ///
    /// Throws `PluginError` with `.timeout`, `.noResponder`, `.cancelled` (the Task was cancelled or
    /// the plugin stopped) or the server's own error status with its payload.
    nonisolated(nonsending) public func request(_ topic: String, _ payload: [UInt8], timeout: Duration = .seconds(5)) async throws -> BusReply {
        let busRequest = try host.table.require(\.bus_request, "bus_request")
        let host = self.host
        let timeoutMs = UInt32(milliseconds(timeout, limit: UInt64(UInt32.max)))
        return try await PendingCall<BusReply>.run(host: host) { call in
            try host.register(PendingBox(host: host, call: call), "request on \(topic)") { userData, handle in
                withStr(topic) { topic in
                    withBytes(payload) { busRequest(host.plugin, topic, $0, max(1, timeoutMs), replyArrived, userData, releaseCallbackBox, handle) }
                }
            }.handle
        }
    }

    /// Sends `value` as JSON to the topic's server and waits for its reply.
    nonisolated(nonsending) public func request<T: Encodable>(_ topic: String, json value: T, timeout: Duration = .seconds(5)) async throws -> BusReply {
        try await request(topic, try JSON.encode(value), timeout: timeout)
    }
}

/// Runs on the caller's executor (the plugin's), so a request costs no extra executor hops.
typealias ServiceHandler = nonisolated(nonsending) (BusMessage) async throws -> [UInt8]

private func requestArrived(_ userData: UnsafeMutableRawPointer?, _ request: bothost_handle,
                            _ topic: bothost_str, _ payload: bothost_bytes) {
    guard let box = HandlerBox<ServiceHandler>.from(userData) else { return }
    let message = BusMessage(topic: String(topic), payload: Array(payload))
    let host = box.host
    let handler = ActorBound(box.handler)
    host.spawn { _ in
        let status: StatusCode
        let reply: [UInt8]
        do {
            reply = try await handler.value(message)
            status = .ok
        } catch {
            // Host codes (timeout, …) would read as the requester's own failure: plugin range only.
            status = (error as? PluginError).map { $0.code.rawValue >= StatusCode.plugin.rawValue ? $0.code : .plugin } ?? .plugin
            reply = JSON.errorObject(describe(error))
            host.log.warning("request on \(message.topic) failed: \(describe(error))")
        }
        host.reply(to: request, status, reply)
    }
}

extension PluginHost {
    /// host->bus_reply; failures (the requester gave up, the plugin stops) are logged.
    fileprivate func reply(to request: bothost_handle, _ status: StatusCode, _ payload: [UInt8]) {
        do {
            let busReply = try table.require(\.bus_reply, "bus_reply")
            try check(withBytes(payload) { busReply(plugin, request, status.rawValue, $0) }, "reply to request \(request)")
        } catch {
            log.debug("PluginKit: \(describe(error))")
        }
    }
}

private func replyArrived(_ userData: UnsafeMutableRawPointer?, _ request: bothost_handle,
                          _ status: bothost_status, _ payload: bothost_bytes) {
    guard let box = PendingBox<BusReply>.from(userData) else { return }
    let bytes = Array(payload)
    box.host.enter {
        if status == StatusCode.ok.rawValue {
            box.call.finish(.success(BusReply(payload: bytes)))
        } else {
            let code = StatusCode(rawValue: status)
            let server = JSON.errorText(bytes) ?? String(decoding: bytes, as: UTF8.self)
            box.call.finish(.failure(PluginError(code, server.isEmpty ? "request failed with \(code)" : server, payload: bytes)))
        }
    }
}
