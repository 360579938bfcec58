import BotHostCore
import PluginAPI

extension HostAPI {
    package static func installBus(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.bus_publish = apiBusPublish
        table.pointee.bus_subscribe = apiBusSubscribe
        table.pointee.bus_serve = apiBusServe
        table.pointee.bus_request = apiBusRequest
        table.pointee.bus_reply = apiBusReply
        table.pointee.bus_message_info = apiBusMessageInfo
    }
}

/// Bus payloads above this are refused: the bus carries events and requests, not files.
package let maxBusPayloadBytes = 8 * 1024 * 1024

private func topicArgument(_ topic: bothost_str) throws(HostCallError) -> String {
    let text = try topic.string("topic")
    if let problem = TopicPattern.validateTopic(text) { throw HostCallError(Status.invalidArgument, problem.description) }
    return text
}

private func payloadArgument(_ payload: bothost_bytes) throws(HostCallError) -> [UInt8] {
    guard payload.len <= maxBusPayloadBytes else {
        throw HostCallError(Status.tooLarge, "bus payload of \(payload.len) bytes is over the \(maxBusPayloadBytes)-byte limit")
    }
    return payload.array
}

/// `discord.` and `host.` carry what Discord and the host say: a plugin that could publish there
/// could forge a message, an interaction or a plugin's stop for every other plugin.
private func checkNotReserved(_ topic: String, _ what: String) throws(HostCallError) {
    for prefix in ["discord.", "host."] where topic.hasPrefix(prefix) {
        throw HostCallError(Status.denied, "topics under \"\(prefix)\" are reserved for the host: a plugin cannot \(what) \(topic)")
    }
}

/// Topics under a running plugin's names are its own (ABI "NAMES"): nobody else may publish there,
/// so what arrives on `ratelimit.…` came from RateLimit. Serving is stricter — only under names the
/// plugin owns — so nobody can answer, and read, another plugin's requests.
private func checkOwnedByCaller(_ instance: PluginInstance, _ topic: String, serving: Bool) throws(HostCallError) {
    let names = instance.runtime.names
    let owner = names.owner(ofTopic: topic)
    if owner?.owner == instance.name { return }
    if let owner {
        throw HostCallError(Status.denied, "\(topic) lies under the name \"\(owner.name)\", which plugin \(owner.owner) owns: "
            + "only it may \(serving ? "serve" : "publish on") that topic")
    }
    guard serving else { return }
    let first = topic.split(separator: ".", maxSplits: 1).first.map(String.init) ?? topic
    let own = names.names(of: instance.name).map { "\"\($0)\"" }.joined(separator: ", ")
    throw HostCallError(Status.denied, "plugin \(instance.name) serves only topics under the names it owns (\(own.isEmpty ? "none" : own)); "
        + "to serve \(topic), declare \"\(first)\" in its descriptor's owned_names")
}

private func apiBusPublish(_ plugin: OpaquePointer?, _ topic: bothost_str, _ payload: bothost_bytes) -> bothost_status {
    hostCall(plugin) { instance throws(HostCallError) in
        let topicText = try topicArgument(topic)
        try checkNotReserved(topicText, "publish on")
        try checkOwnedByCaller(instance, topicText, serving: false)
        let bytes = try payloadArgument(payload)
        instance.runtime.bus.publish(topic: topicText, payload: bytes, origin: .plugin(instance.name))
    }
}

private func apiBusSubscribe(_ plugin: OpaquePointer?, _ pattern: bothost_str, _ fn: bothost_bus_fn?,
                             _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                             _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .subscription, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "bus_subscribe needs a function") }
        let text = try pattern.string("pattern")
        let parsed: TopicPattern
        switch TopicPattern.parse(text) {
        case .success(let p): parsed = p
        case .failure(let problem): throw HostCallError(Status.invalidArgument, problem.description)
        }
        let bus = instance.runtime.bus
        let subscription = Subscription(pattern: parsed, registration: registration, owner: instance, fn: fn)
        let handle = registration.handle
        registration.teardown = { _ in bus.remove(handle) }
        bus.add(subscription)
    }
}

private func apiBusServe(_ plugin: OpaquePointer?, _ topic: bothost_str, _ fn: bothost_bus_serve_fn?,
                         _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                         _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .service, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "bus_serve needs a function") }
        let topicText = try topicArgument(topic)
        try checkNotReserved(topicText, "serve")
        try checkOwnedByCaller(instance, topicText, serving: true)
        let broker = instance.runtime.broker
        let service = BusService(topic: topicText, registration: registration, owner: instance, fn: fn)
        try broker.addService(service)
        registration.teardown = { _ in broker.removeService(service) }
    }
}

private func apiBusRequest(_ plugin: OpaquePointer?, _ topic: bothost_str, _ payload: bothost_bytes, _ timeoutMs: UInt32,
                           _ fn: bothost_reply_fn?, _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                           _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .request, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "bus_request needs a reply function") }
        let topicText = try topicArgument(topic)
        let bytes = try payloadArgument(payload)
        instance.runtime.broker.send(from: instance, registration: registration, topic: topicText, payload: bytes,
                                     timeoutMs: timeoutMs, reply: fn)
    }
}

private func apiBusReply(_ plugin: OpaquePointer?, _ request: bothost_handle, _ status: bothost_status,
                         _ payload: bothost_bytes) -> bothost_status {
    hostCall(plugin) { instance throws(HostCallError) in
        let bytes = try payloadArgument(payload)
        try instance.runtime.broker.reply(from: instance, handle: request, status: status, payload: bytes)
    }
}

private func apiBusMessageInfo(_ plugin: OpaquePointer?, _ out: UnsafeMutablePointer<bothost_bus_message_info>?) -> bothost_status {
    hostCall(plugin) { _ throws(HostCallError) in
        guard let out else { throw HostCallError(Status.invalidArgument, "bus_message_info needs an output struct") }
        guard let message = CurrentBusMessage.current else {
            throw HostCallError(Status.notFound, "bus_message_info works only inside a bus callback")
        }
        // Fill only what the caller's struct has room for (it may be an older, smaller one).
        let room = Int(out.pointee.struct_size)
        var info = bothost_bus_message_info()
        info.struct_size = UInt32(min(room, MemoryLayout<bothost_bus_message_info>.size))
        info.shard = message.origin.shard
        info.sequence = message.origin.sequence
        // The message (and so the name) outlives the callback the plugin is in.
        info.publisher = message.publisher
        withUnsafeBytes(of: &info) { source in
            if let base = source.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: min(room, source.count)) }
        }
    }
}
