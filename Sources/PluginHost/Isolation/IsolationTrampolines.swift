import BotHostCore
import Foundation
import PluginAPI

/// What the host registers on an isolated plugin's behalf: user_data is a `RemoteToken` naming the
/// child's registration, and each function sends its callback to the child with the same
/// arguments, copied. They run where the host runs the plugin's callbacks (its executor), so the
/// child sees them in the host's order.
final class RemoteToken {
    let process: PluginProcess
    let token: UInt64
    init(process: PluginProcess, token: UInt64) {
        self.process = process
        self.token = token
    }

    /// A retained pointer for user_data; `free` releases it.
    var userData: UnsafeMutableRawPointer { Unmanaged.passRetained(self).toOpaque() }

    static func from(_ userData: UnsafeMutableRawPointer?) -> RemoteToken? {
        guard let userData else { return nil }
        return Unmanaged<RemoteToken>.fromOpaque(userData).takeUnretainedValue()
    }
}

enum IsolationTrampolines {
    // MARK: lifecycle (the descriptor's functions)

    private static func process(_ plugin: OpaquePointer?) -> PluginProcess? {
        PluginRef.instance(plugin)?.library.process
    }

    static let initialize: bothost_init_fn = { plugin, outState, outReason in
        guard let process = process(plugin) else { return Status.internalError }
        outState?.pointee = nil  // the plugin's state lives in the child
        let (status, reason) = process.lifecycle(.initialize)
        outReason?.pointee = process.keep(reason)
        return status
    }

    static let start: bothost_start_fn = { plugin, _, outReason in
        guard let process = process(plugin) else { return Status.internalError }
        let (status, reason) = process.lifecycle(.start)
        outReason?.pointee = process.keep(reason)
        return status
    }

    static let stop: bothost_stop_fn = { plugin, _ in
        _ = process(plugin)?.lifecycle(.stop)
    }

    static let configChanged: bothost_config_changed_fn = { plugin, _, json in
        guard let process = process(plugin) else { return Status.internalError }
        return process.lifecycle(.configChanged) { $0.data(json.ptr, json.len) }.0
    }

    // MARK: registrations

    static let free: bothost_free_fn = { userData in
        guard let userData else { return }
        let remote = Unmanaged<RemoteToken>.fromOpaque(userData).takeRetainedValue()
        remote.process.sendFree(token: remote.token)
    }

    static let cleanup: bothost_cleanup_fn = { userData in
        guard let remote = RemoteToken.from(userData) else { return }
        // Waits: cleanup hooks run one by one under the stop deadline.
        _ = remote.process.lifecycle(.cleanup) { $0.u64(remote.token) }
    }

    static let timer: bothost_timer_fn = { userData, handle in
        guard let remote = RemoteToken.from(userData) else { return }
        remote.process.send(token: remote.token, .timer) { $0.u64(handle) }
    }

    static let bus: bothost_bus_fn = { userData, subscription, topic, payload in
        guard let remote = RemoteToken.from(userData) else { return }
        let info = remote.process.currentMessageInfo()
        remote.process.send(token: remote.token, .bus) { frame in
            frame.u64(subscription)
            frame.data(topic.ptr, topic.len)
            frame.data(payload.ptr, payload.len)
            info.write(into: &frame)
        }
    }

    static let serve: bothost_bus_serve_fn = { userData, request, topic, payload in
        guard let remote = RemoteToken.from(userData) else { return }
        let info = remote.process.currentMessageInfo()
        remote.process.send(token: remote.token, .serve) { frame in
            frame.u64(request)
            frame.data(topic.ptr, topic.len)
            frame.data(payload.ptr, payload.len)
            info.write(into: &frame)
        }
    }

    static let reply: bothost_reply_fn = { userData, request, status, payload in
        guard let remote = RemoteToken.from(userData) else { return }
        remote.process.send(token: remote.token, .reply) { $0.u64(request); $0.i32(status); $0.data(payload.ptr, payload.len) }
    }

    static let done: bothost_done_fn = { userData, status, body in
        guard let remote = RemoteToken.from(userData) else { return }
        remote.process.send(token: remote.token, .done) { $0.i32(status); $0.data(body.ptr, body.len) }
    }

    static let command: bothost_command_fn = { userData, interaction in
        guard let remote = RemoteToken.from(userData), let interaction else { return }
        let i = interaction.pointee
        remote.process.send(token: remote.token, .command) { frame in
            frame.u64(i.interaction)
            frame.data(i.command.ptr, i.command.len)
            frame.data(i.json.ptr, i.json.len)
            frame.u64(i.user_id)
            frame.u64(i.guild_id)
            frame.u64(i.channel_id)
            frame.u64(i.member_permissions)
            frame.u32(i.is_owner)
            frame.u32(i.kind)
            frame.data(i.custom_id.ptr, i.custom_id.len)
        }
    }

    static let http: bothost_http_fn = { userData, request, response in
        guard let remote = RemoteToken.from(userData), let response else { return }
        let r = response.pointee
        remote.process.send(token: remote.token, .http) { frame in
            frame.u64(request)
            frame.i32(r.status)
            frame.u32(r.http_status)
            let count = r.headers == nil ? 0 : r.header_count
            frame.u32(UInt32(clamping: count))
            for index in 0..<count {
                let header = r.headers![index]
                frame.data(header.name.ptr, header.name.len)
                frame.data(header.value.ptr, header.value.len)
            }
            frame.data(r.body.ptr, r.body.len)
            frame.data(r.error.ptr, r.error.len)
        }
    }

    static let discord: bothost_discord_fn = { userData, request, status, httpStatus, body in
        guard let remote = RemoteToken.from(userData) else { return }
        remote.process.send(token: remote.token, .discord) { $0.u64(request); $0.i32(status); $0.u32(httpStatus); $0.data(body.ptr, body.len) }
    }

    static let voiceEvent: bothost_voice_event_fn = { userData, subscription, event in
        guard let remote = RemoteToken.from(userData), let event else { return }
        let e = event.pointee
        remote.process.send(token: remote.token, .voiceEvent) { frame in
            frame.u64(subscription)
            frame.u32(e.kind)
            frame.u64(e.guild_id)
            frame.u64(e.channel_id)
            frame.u64(e.user_id)
            frame.u32(e.speaking)
            frame.data(e.reason.ptr, e.reason.len)
        }
    }

    static let voiceFrame: bothost_voice_frame_fn = { userData, subscription, frame in
        guard let remote = RemoteToken.from(userData), let frame else { return }
        let f = frame.pointee
        remote.process.send(token: remote.token, .voiceFrame) { out in
            out.u64(subscription)
            out.u64(f.guild_id)
            out.u64(f.user_id)
            out.u32(f.ssrc)
            out.u32(f.rtp_timestamp)
            out.u16(f.sequence)
            out.u16(f.concealed)
            out.data(UnsafeRawPointer(f.pcm), f.pcm == nil ? 0 : Int(BOTHOST_VOICE_FRAME_BYTES))
            out.data(f.opus.ptr, f.opus.len)
        }
    }
}

/// The bus message details a bus callback carries to the child.
struct RemoteMessageInfo {
    var shard: Int32 = -1
    var sequence: Int64 = 0
    var publisher: bothost_str = bothost_str(ptr: nil, len: 0)

    func write(into frame: inout WireWriter) {
        frame.i32(shard)
        frame.i64(sequence)
        frame.data(publisher.ptr, publisher.len)
    }
}

extension PluginProcess {
    /// The details of the bus message being delivered on this thread (the instance's executor).
    func currentMessageInfo() -> RemoteMessageInfo {
        guard let pointer = instancePointer.withLock({ $0.value }) else { return RemoteMessageInfo() }
        var info = bothost_bus_message_info()
        info.struct_size = UInt32(MemoryLayout<bothost_bus_message_info>.size)
        guard HostAPI.table.pointee.bus_message_info?(pointer, &info) == Status.ok else { return RemoteMessageInfo() }
        return RemoteMessageInfo(shard: info.shard, sequence: info.sequence, publisher: info.publisher)
    }

    /// A reason string in memory that stays valid until the host has copied it.
    func keep(_ reason: String) -> bothost_str {
        guard !reason.isEmpty, let copy = strdup(reason) else { return bothost_str(ptr: nil, len: 0) }
        reasons.withLock { $0.append(UnsafeSendable(copy)) }
        return bothost_str(ptr: copy, len: strlen(copy))
    }
}
