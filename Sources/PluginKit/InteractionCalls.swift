// The host calls behind Interaction's responses.

extension Interaction {
    /// Sends a response; a later failure (Discord refused it) is logged by `responseLogged`.
    func respond(_ kind: Response, _ message: [UInt8], ephemeral: Bool) throws {
        let box = HandlerBox(host: host, handler: "\(kind.name) to \(subject)")
        try call(kind, message, ephemeral: ephemeral, box: box, done: responseLogged)
    }

    /// Sends a response and waits for Discord's answer.
    nonisolated(nonsending) func respondAndWait(_ kind: Response, _ message: [UInt8], ephemeral: Bool) async throws -> [UInt8] {
        try await PendingCall<[UInt8]>.run(host: host) { pending in
            try call(kind, message, ephemeral: ephemeral, box: PendingBox(host: host, call: pending), done: responseAnswered)
            return 0  // responses have no handle; they cannot be cancelled
        }
    }

    private func call(_ kind: Response, _ message: [UInt8], ephemeral: Bool, box: CallbackBox, done: bothost_done_fn) throws {
        let flags = ephemeral ? UInt32(BOTHOST_REPLY_EPHEMERAL) : 0
        let plugin = host.plugin
        let function: (bothost_str, UnsafeMutableRawPointer) -> bothost_status
        switch kind {
        case .reply:
            let reply = try host.table.require(\.interaction_reply, "interaction_reply")
            function = { reply(plugin, handle, $0, flags, done, $1, releaseCallbackBox) }
        case .followUp:
            let followUp = try host.table.require(\.interaction_followup, "interaction_followup")
            function = { followUp(plugin, handle, $0, flags, done, $1, releaseCallbackBox) }
        case .edit:
            let edit = try host.table.require(\.interaction_edit, "interaction_edit")
            function = { edit(plugin, handle, $0, done, $1, releaseCallbackBox) }
        case .deferral:
            let deferral = try host.table.require(\.interaction_defer, "interaction_defer")
            function = { deferral(plugin, handle, flags, done, $1, releaseCallbackBox) }
        case .updateMessage, .deferUpdate, .autocomplete, .modal:
            let respond = try host.table.require(\.interaction_respond, "interaction_respond")
            let type = kind.callbackType ?? 0
            function = { respond(plugin, handle, type, $0, done, $1, releaseCallbackBox) }
        }
        // No release on failure: the host frees user_data whichever way the call ends.
        let userData = Unmanaged.passRetained(box).toOpaque()
        let status = message.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { function(bothost_str(ptr: $0.baseAddress, len: $0.count), userData) }
        }
        try host.check(status, "\(kind.name) to \(subject)")
    }
}

private func responseLogged(_ userData: UnsafeMutableRawPointer?, _ status: bothost_status, _ body: bothost_bytes) {
    guard status != StatusCode.ok.rawValue, let box = HandlerBox<String>.from(userData) else { return }
    let detail = String(decoding: Array(body), as: UTF8.self)
    box.host.enter { box.host.log.warning("\(box.handler) failed with \(StatusCode(rawValue: status))\(detail.isEmpty ? "" : ": \(detail)")") }
}

private func responseAnswered(_ userData: UnsafeMutableRawPointer?, _ status: bothost_status, _ body: bothost_bytes) {
    guard let box = PendingBox<[UInt8]>.from(userData) else { return }
    let bytes = Array(body)
    box.host.enter {
        if status == StatusCode.ok.rawValue {
            box.call.finish(.success(bytes))
        } else {
            let code = StatusCode(rawValue: status)
            box.call.finish(.failure(PluginError(code, bytes.isEmpty ? "Discord refused the response" : String(decoding: bytes, as: UTF8.self), payload: bytes)))
        }
    }
}
