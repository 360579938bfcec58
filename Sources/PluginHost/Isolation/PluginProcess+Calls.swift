import BotHostCore
import Foundation
import PluginAPI

/// The child's host API calls, answered by the real table as the plugin's instance: the same
/// checks, limits and errors as for an in-process plugin. Arguments come from an untrusted
/// process: every field is read with bounds checks, and a malformed call ends the child.
extension PluginProcess {
    struct Answer {
        var status: bothost_status
        var detail: String = ""
        var results: [UInt8] = []
    }

    func execute(_ op: WireOp, _ r: inout WireReader) throws(WireError) -> Answer {
        guard let plugin = instancePointer.withLock({ $0.value }) else {
            return Answer(status: Status.stopped, detail: "the plugin is not running yet")
        }
        let api = HostAPI.table.pointee

        func answer(_ status: bothost_status, _ results: [UInt8] = []) -> Answer {
            Answer(status: status, detail: status == Status.ok ? "" : String(decoding: LastError.current().bytes, as: UTF8.self), results: results)
        }
        func handleAnswer(_ status: bothost_status, _ handle: bothost_handle) -> Answer {
            var out = WireWriter(.answer)
            out.u64(handle)
            return answer(status, status == Status.ok ? Array(out.finish().dropFirst(5)) : [])
        }
        func dataAnswer(_ status: bothost_status, _ buffer: bothost_buffer) -> Answer {
            guard status == Status.ok else { return answer(status) }
            var out = WireWriter(.answer, reserve: buffer.len + 8)
            out.data(buffer.ptr, buffer.len)
            Foundation.free(buffer.ptr)
            return answer(status, Array(out.finish().dropFirst(5)))
        }
        /// A registration: the child's token behind a trampoline of ours (or no function, when the
        /// plugin passed NULL, so the host's own checks apply).
        func remote<F>(_ trampoline: F) throws(WireError) -> (F?, UnsafeMutableRawPointer) {
            let token = try r.u64()
            let hasFunction = try r.u8() != 0
            return (hasFunction ? trampoline : nil, RemoteToken(process: self, token: token).userData)
        }

        switch op {
        case .log:
            let level = try r.i32()
            let message = try r.data()
            message.withMemoryRebound(to: CChar.self) { api.log?(plugin, level, bothost_str(ptr: $0.baseAddress, len: $0.count)) }
            return Answer(status: Status.ok)
        case .unregister:
            return answer(api.unregister!(plugin, try r.u64()))
        case .nowMs:
            var out = WireWriter(.answer)
            out.i64(api.now_ms!(plugin))
            return Answer(status: Status.ok, results: Array(out.finish().dropFirst(5)))
        case .timerStart:
            let (fn, userData) = try remote(IsolationTrampolines.timer)
            let delay = try r.u64(), interval = try r.u64()
            var handle: bothost_handle = 0
            return handleAnswer(api.timer_start!(plugin, delay, interval, fn, userData, IsolationTrampolines.free, &handle), handle)
        case .busPublish:
            let topic = try r.data(), payload = try r.data()
            return answer(str(topic) { t in bytes(payload) { p in api.bus_publish!(plugin, t, p) } })
        case .busSubscribe:
            let (fn, userData) = try remote(IsolationTrampolines.bus)
            let pattern = try r.data()
            var handle: bothost_handle = 0
            return handleAnswer(str(pattern) { api.bus_subscribe!(plugin, $0, fn, userData, IsolationTrampolines.free, &handle) }, handle)
        case .busServe:
            let (fn, userData) = try remote(IsolationTrampolines.serve)
            let topic = try r.data()
            var handle: bothost_handle = 0
            return handleAnswer(str(topic) { api.bus_serve!(plugin, $0, fn, userData, IsolationTrampolines.free, &handle) }, handle)
        case .busRequest:
            let (fn, userData) = try remote(IsolationTrampolines.reply)
            let topic = try r.data(), payload = try r.data(), timeout = try r.u32()
            var handle: bothost_handle = 0
            let status = str(topic) { t in bytes(payload) { p in api.bus_request!(plugin, t, p, timeout, fn, userData, IsolationTrampolines.free, &handle) } }
            return handleAnswer(status, handle)
        case .busReply:
            let request = try r.u64(), status = try r.i32(), payload = try r.data()
            return answer(bytes(payload) { api.bus_reply!(plugin, request, status, $0) })
        case .commandRegister, .componentRegister, .autocompleteRegister:
            let (fn, userData) = try remote(IsolationTrampolines.command)
            let text = try r.data()
            var handle: bothost_handle = 0
            let register = op == .commandRegister ? api.command_register! : op == .componentRegister ? api.component_register! : api.autocomplete_register!
            return handleAnswer(str(text) { register(plugin, $0, fn, userData, IsolationTrampolines.free, &handle) }, handle)
        case .interactionReply, .interactionFollowup:
            let (fn, userData) = try remote(IsolationTrampolines.done)
            let interaction = try r.u64(), message = try r.data(), flags = try r.u32()
            let call = op == .interactionReply ? api.interaction_reply! : api.interaction_followup!
            return answer(str(message) { call(plugin, interaction, $0, flags, fn, userData, IsolationTrampolines.free) })
        case .interactionDefer:
            let (fn, userData) = try remote(IsolationTrampolines.done)
            let interaction = try r.u64(), flags = try r.u32()
            return answer(api.interaction_defer!(plugin, interaction, flags, fn, userData, IsolationTrampolines.free))
        case .interactionEdit:
            let (fn, userData) = try remote(IsolationTrampolines.done)
            let interaction = try r.u64(), message = try r.data()
            return answer(str(message) { api.interaction_edit!(plugin, interaction, $0, fn, userData, IsolationTrampolines.free) })
        case .interactionRespond:
            let (fn, userData) = try remote(IsolationTrampolines.done)
            let interaction = try r.u64(), type = try r.u32(), data = try r.data()
            return answer(str(data) { api.interaction_respond!(plugin, interaction, type, $0, fn, userData, IsolationTrampolines.free) })
        case .configGet:
            var buffer = bothost_buffer(ptr: nil, len: 0)
            return dataAnswer(api.config_get!(plugin, &buffer), buffer)
        case .storageGet:
            let key = try r.data()
            var buffer = bothost_buffer(ptr: nil, len: 0)
            return dataAnswer(str(key) { api.storage_get!(plugin, $0, &buffer) }, buffer)
        case .storageSet:
            let key = try r.data(), value = try r.data()
            return answer(str(key) { k in bytes(value) { v in api.storage_set!(plugin, k, v) } })
        case .storageDelete:
            let key = try r.data()
            return answer(str(key) { api.storage_delete!(plugin, $0) })
        case .storageList:
            let prefix = try r.data()
            final class Collected { var count: UInt32 = 0; var out = WireWriter(.answer) }
            let collected = Collected()
            collected.out.u32(0)
            let status = str(prefix) { p in
                api.storage_list!(plugin, p, { context, key, value in
                    let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                    collected.count += 1
                    collected.out.data(key.ptr, key.len)
                    collected.out.data(value.ptr, value.len)
                    return 0
                }, Unmanaged.passUnretained(collected).toOpaque())
            }
            guard status == Status.ok else { return answer(status) }
            var results = Array(collected.out.finish().dropFirst(5))
            withUnsafeBytes(of: collected.count.littleEndian) { raw in for i in 0..<4 { results[i] = raw[i] } }
            return answer(status, results)
        case .httpRequest:
            let (fn, userData) = try remote(IsolationTrampolines.http)
            var handle: bothost_handle = 0
            switch try r.u8() {
            case 0:
                return handleAnswer(api.http_request!(plugin, nil, fn, userData, IsolationTrampolines.free, &handle), handle)
            case 2:
                // The plugin's header list was over the limit: the host refuses it as for an
                // in-process plugin (and frees user_data through its free).
                var request = bothost_http_request()
                request.struct_size = UInt32(MemoryLayout<bothost_http_request>.size)
                request.header_count = 257
                let status = withCStr("http://localhost/") { url in
                    request.url = url
                    return api.http_request!(plugin, &request, fn, userData, IsolationTrampolines.free, &handle)
                }
                return handleAnswer(status, handle)
            default:
                break
            }
            let structSize = try r.u32(), method = try r.data(), url = try r.data()
            let count = Int(try r.u32())
            guard count <= 10_000 else { throw WireError("\(count) headers") }
            var headerFields: [(UnsafeRawBufferPointer, UnsafeRawBufferPointer)] = []
            for _ in 0..<count { headerFields.append((try r.data(), try r.data())) }
            let body = try r.data(), timeout = try r.u32(), maxBody = try r.u32()
            let headers = headerFields.map { name, value in
                bothost_header(name: bothost_str(ptr: name.baseAddress?.assumingMemoryBound(to: CChar.self), len: name.count),
                               value: bothost_str(ptr: value.baseAddress?.assumingMemoryBound(to: CChar.self), len: value.count))
            }
            let status = headers.withUnsafeBufferPointer { list -> bothost_status in
                var request = bothost_http_request()
                request.struct_size = min(structSize, UInt32(MemoryLayout<bothost_http_request>.size))
                request.method = bothost_str(ptr: method.baseAddress?.assumingMemoryBound(to: CChar.self), len: method.count)
                request.url = bothost_str(ptr: url.baseAddress?.assumingMemoryBound(to: CChar.self), len: url.count)
                request.headers = count == 0 ? nil : list.baseAddress
                request.header_count = count
                request.body = bothost_bytes(ptr: body.baseAddress?.assumingMemoryBound(to: UInt8.self), len: body.count)
                request.timeout_ms = timeout
                request.max_body_bytes = maxBody
                return api.http_request!(plugin, &request, fn, userData, IsolationTrampolines.free, &handle)
            }
            return handleAnswer(status, handle)
        case .cleanupRegister:
            let (fn, userData) = try remote(IsolationTrampolines.cleanup)
            var handle: bothost_handle = 0
            return handleAnswer(api.cleanup_register!(plugin, fn, userData, IsolationTrampolines.free, &handle), handle)
        case .discordRequest:
            let (fn, userData) = try remote(IsolationTrampolines.discord)
            let method = try r.data(), path = try r.data(), body = try r.data(), reason = try r.data()
            var handle: bothost_handle = 0
            let status = str(method) { m in str(path) { p in bytes(body) { b in str(reason) { why in
                api.discord_request!(plugin, m, p, b, why, fn, userData, IsolationTrampolines.free, &handle)
            } } } }
            return handleAnswer(status, handle)
        case .voiceJoin:
            let (fn, userData) = try remote(IsolationTrampolines.done)
            let guild = try r.u64(), channel = try r.u64(), flags = try r.u32()
            return answer(api.voice_join!(plugin, guild, channel, flags, fn, userData, IsolationTrampolines.free))
        case .voiceLeave:
            let (fn, userData) = try remote(IsolationTrampolines.done)
            let guild = try r.u64()
            return answer(api.voice_leave!(plugin, guild, fn, userData, IsolationTrampolines.free))
        case .voiceSend:
            let guild = try r.u64(), format = try r.u32(), frame = try r.data()
            return answer(bytes(frame) { api.voice_send!(plugin, guild, format, $0) })
        case .voiceStopSending:
            return answer(api.voice_stop_sending!(plugin, try r.u64()))
        case .voiceSubscribeAudio:
            let (fn, userData) = try remote(IsolationTrampolines.voiceFrame)
            let guild = try r.u64(), format = try r.u32()
            var handle: bothost_handle = 0
            return handleAnswer(api.voice_subscribe_audio!(plugin, guild, format, fn, userData, IsolationTrampolines.free, &handle), handle)
        case .voiceSubscribeEvents:
            let (fn, userData) = try remote(IsolationTrampolines.voiceEvent)
            let guild = try r.u64()
            var handle: bothost_handle = 0
            return handleAnswer(api.voice_subscribe_events!(plugin, guild, fn, userData, IsolationTrampolines.free, &handle), handle)
        }
    }
}

/// A frame's field as a `bothost_str` / `bothost_bytes` (valid while the frame is).
private func str<R>(_ field: UnsafeRawBufferPointer, _ body: (bothost_str) -> R) -> R {
    body(bothost_str(ptr: field.baseAddress?.assumingMemoryBound(to: CChar.self), len: field.count))
}

private func bytes<R>(_ field: UnsafeRawBufferPointer, _ body: (bothost_bytes) -> R) -> R {
    body(bothost_bytes(ptr: field.baseAddress?.assumingMemoryBound(to: UInt8.self), len: field.count))
}
