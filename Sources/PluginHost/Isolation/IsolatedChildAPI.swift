import BotHostCore
import Foundation
import PluginAPI
import Synchronization

/// The host API table as an isolated plugin sees it: the same slots, the same minor, each call
/// forwarded to the host over the socket and answered there by the real table on the plugin's
/// behalf. Only what needs no host stays here: `last_error`, `free`, `post` (the child's own
/// executor), `bus_message_info` (sent with each bus callback) and the pure json_* readers.
package enum IsolatedChildAPI {
    package nonisolated(unsafe) static let table: UnsafePointer<bothost_host_api> = {
        let table = UnsafeMutablePointer<bothost_host_api>.allocate(capacity: 1)
        table.initialize(to: HostAPI.table.pointee)  // sizes, versions and the json_* readers
        table.pointee.last_error = { LastError.current() }
        table.pointee.free = { pointer in Foundation.free(pointer) }
        table.pointee.log = { _, level, message in
            child?.notify(.log) { frame in
                frame.i32(level)
                frame.data(message.ptr, message.len)
            }
        }
        table.pointee.unregister = { plugin, handle in
            guard let child = child(plugin) else { return Status.stopped }
            let status = child.call(.unregister) { $0.u64(handle) }.status
            if status == Status.ok { child.deactivate(handle: handle) }
            return status
        }
        table.pointee.post = { plugin, fn, userData in
            guard let child = child(plugin) else { return stopped() }
            guard let fn else {
                LastError.set("post needs a function")
                return Status.invalidArgument
            }
            let box = UnsafeSendable(userData)
            child.executor.enqueue(seq: 0) { fn(box.value); return nil }
            return Status.ok
        }
        table.pointee.timer_start = { plugin, delay, interval, fn, userData, free, out in
            register(plugin, .timerStart, fn, userData, free, out) { $0.u64(delay); $0.u64(interval) }
        }
        table.pointee.now_ms = { plugin in
            guard let child = child(plugin) else { return 0 }
            let (status, results) = child.call(.nowMs) { _ in }
            guard status == Status.ok else { return 0 }
            return results.withUnsafeBytes { raw in var r = WireReader(raw); return (try? r.i64()) ?? 0 }
        }
        table.pointee.bus_publish = { plugin, topic, payload in
            simple(plugin, .busPublish) { $0.data(topic.ptr, topic.len); $0.data(payload.ptr, payload.len) }
        }
        table.pointee.bus_subscribe = { plugin, pattern, fn, userData, free, out in
            register(plugin, .busSubscribe, fn, userData, free, out) { $0.data(pattern.ptr, pattern.len) }
        }
        table.pointee.bus_serve = { plugin, topic, fn, userData, free, out in
            register(plugin, .busServe, fn, userData, free, out) { $0.data(topic.ptr, topic.len) }
        }
        table.pointee.bus_request = { plugin, topic, payload, timeout, fn, userData, free, out in
            register(plugin, .busRequest, fn, userData, free, out) {
                $0.data(topic.ptr, topic.len); $0.data(payload.ptr, payload.len); $0.u32(timeout)
            }
        }
        table.pointee.bus_reply = { plugin, request, status, payload in
            simple(plugin, .busReply) { $0.u64(request); $0.i32(status); $0.data(payload.ptr, payload.len) }
        }
        table.pointee.bus_message_info = { plugin, out in
            guard child(plugin) != nil else { return stopped() }
            guard let out else {
                LastError.set("bus_message_info needs an output struct")
                return Status.invalidArgument
            }
            guard let current = ChildBusMessage.current else {
                LastError.set("bus_message_info works only inside a bus callback")
                return Status.notFound
            }
            // The publisher's name must outlive the callback: keep each distinct name once.
            let publisher = PublisherNames.stable(current.publisher)
            let room = Int(out.pointee.struct_size)
            var info = bothost_bus_message_info()
            info.struct_size = UInt32(min(room, MemoryLayout<bothost_bus_message_info>.size))
            info.shard = current.shard
            info.sequence = current.sequence
            info.publisher = publisher
            withUnsafeBytes(of: &info) { source in
                if let base = source.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: min(room, source.count)) }
            }
            return Status.ok
        }
        table.pointee.command_register = { plugin, definition, fn, userData, free, out in
            register(plugin, .commandRegister, fn, userData, free, out) { $0.data(definition.ptr, definition.len) }
        }
        table.pointee.component_register = { plugin, prefix, fn, userData, free, out in
            register(plugin, .componentRegister, fn, userData, free, out) { $0.data(prefix.ptr, prefix.len) }
        }
        table.pointee.autocomplete_register = { plugin, name, fn, userData, free, out in
            register(plugin, .autocompleteRegister, fn, userData, free, out) { $0.data(name.ptr, name.len) }
        }
        table.pointee.interaction_reply = { plugin, interaction, message, flags, done, userData, free in
            register(plugin, .interactionReply, done, userData, free, nil) {
                $0.u64(interaction); $0.data(message.ptr, message.len); $0.u32(flags)
            }
        }
        table.pointee.interaction_defer = { plugin, interaction, flags, done, userData, free in
            register(plugin, .interactionDefer, done, userData, free, nil) { $0.u64(interaction); $0.u32(flags) }
        }
        table.pointee.interaction_followup = { plugin, interaction, message, flags, done, userData, free in
            register(plugin, .interactionFollowup, done, userData, free, nil) {
                $0.u64(interaction); $0.data(message.ptr, message.len); $0.u32(flags)
            }
        }
        table.pointee.interaction_edit = { plugin, interaction, message, done, userData, free in
            register(plugin, .interactionEdit, done, userData, free, nil) { $0.u64(interaction); $0.data(message.ptr, message.len) }
        }
        table.pointee.interaction_respond = { plugin, interaction, type, data, done, userData, free in
            register(plugin, .interactionRespond, done, userData, free, nil) {
                $0.u64(interaction); $0.u32(type); $0.data(data.ptr, data.len)
            }
        }
        table.pointee.config_get = { plugin, out in
            buffer(plugin, .configGet, out) { _ in }
        }
        table.pointee.storage_get = { plugin, key, out in
            buffer(plugin, .storageGet, out) { $0.data(key.ptr, key.len) }
        }
        table.pointee.storage_set = { plugin, key, value in
            simple(plugin, .storageSet) { $0.data(key.ptr, key.len); $0.data(value.ptr, value.len) }
        }
        table.pointee.storage_delete = { plugin, key in
            simple(plugin, .storageDelete) { $0.data(key.ptr, key.len) }
        }
        table.pointee.storage_list = { plugin, prefix, visit, userData in
            guard let child = child(plugin) else { return stopped() }
            guard let visit else {
                LastError.set("storage_list needs a visit function")
                return Status.invalidArgument
            }
            let (status, results) = child.call(.storageList) { $0.data(prefix.ptr, prefix.len) }
            guard status == Status.ok else { return status }
            // The host sends every entry; the plugin visits them here and may stop early.
            return results.withUnsafeBytes { raw -> bothost_status in
                var reader = WireReader(raw)
                guard let count = try? reader.u32() else { return Status.internalError }
                for _ in 0..<count {
                    guard let key = try? reader.data(), let value = try? reader.data() else { return Status.internalError }
                    let keep = key.withMemoryRebound(to: CChar.self) { k in
                        value.withMemoryRebound(to: UInt8.self) { v in
                            visit(userData, bothost_str(ptr: k.baseAddress, len: k.count), bothost_bytes(ptr: v.baseAddress, len: v.count))
                        }
                    }
                    if keep != 0 { break }
                }
                return Status.ok
            }
        }
        table.pointee.http_request = { plugin, request, fn, userData, free, out in
            // The host's own limit, checked here before the list is read at all.
            if let request, request.pointee.header_count > 256 || (request.pointee.header_count > 0 && request.pointee.headers == nil) {
                return register(plugin, .httpRequest, fn, userData, free, out) { frame in frame.u8(2) }
            }
            return register(plugin, .httpRequest, fn, userData, free, out) { frame in
                guard let request else { frame.u8(0); return }
                // Copy min(struct_size, sizeof) into zeroed memory, as the host does (rule 3).
                var copy = bothost_http_request()
                withUnsafeMutableBytes(of: &copy) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: request, count: min(Int(request.pointee.struct_size), target.count)))
                }
                frame.u8(1)
                frame.u32(copy.struct_size)
                frame.data(copy.method.ptr, copy.method.len)
                frame.data(copy.url.ptr, copy.url.len)
                let count = copy.headers == nil ? 0 : copy.header_count
                frame.u32(UInt32(clamping: count))
                for index in 0..<min(count, Int(UInt32.max)) {
                    let header = copy.headers![index]
                    frame.data(header.name.ptr, header.name.len)
                    frame.data(header.value.ptr, header.value.len)
                }
                frame.data(copy.body.ptr, copy.body.len)
                frame.u32(copy.timeout_ms)
                frame.u32(copy.max_body_bytes)
            }
        }
        table.pointee.cleanup_register = { plugin, fn, userData, free, out in
            register(plugin, .cleanupRegister, fn, userData, free, out) { _ in }
        }
        table.pointee.discord_request = { plugin, method, path, body, reason, fn, userData, free, out in
            register(plugin, .discordRequest, fn, userData, free, out) {
                $0.data(method.ptr, method.len); $0.data(path.ptr, path.len); $0.data(body.ptr, body.len); $0.data(reason.ptr, reason.len)
            }
        }
        table.pointee.voice_join = { plugin, guild, channel, flags, done, userData, free in
            register(plugin, .voiceJoin, done, userData, free, nil) { $0.u64(guild); $0.u64(channel); $0.u32(flags) }
        }
        table.pointee.voice_leave = { plugin, guild, done, userData, free in
            register(plugin, .voiceLeave, done, userData, free, nil) { $0.u64(guild) }
        }
        table.pointee.voice_send = { plugin, guild, format, frame in
            simple(plugin, .voiceSend) { $0.u64(guild); $0.u32(format); $0.data(frame.ptr, frame.len) }
        }
        table.pointee.voice_stop_sending = { plugin, guild in
            simple(plugin, .voiceStopSending) { $0.u64(guild) }
        }
        table.pointee.voice_subscribe_audio = { plugin, guild, format, fn, userData, free, out in
            register(plugin, .voiceSubscribeAudio, fn, userData, free, out) { $0.u64(guild); $0.u32(format) }
        }
        table.pointee.voice_subscribe_events = { plugin, guild, fn, userData, free, out in
            register(plugin, .voiceSubscribeEvents, fn, userData, free, out) { $0.u64(guild) }
        }
        return UnsafePointer(table)
    }()

    private static var child: IsolatedChild? { IsolatedChild.current }

    /// The child, when `plugin` is the pointer it gave the plugin.
    private static func child(_ plugin: OpaquePointer?) -> IsolatedChild? {
        guard let child = IsolatedChild.current, plugin == child.selfPointer else { return nil }
        return child
    }

    private static func stopped() -> bothost_status {
        LastError.set("this is not the plugin's pointer, or the plugin has been stopped")
        return Status.stopped
    }

    private static func simple(_ plugin: OpaquePointer?, _ op: WireOp, _ arguments: (inout WireWriter) -> Void) -> bothost_status {
        guard let child = child(plugin) else { return stopped() }
        return child.call(op, arguments).status
    }

    private static func register<F>(_ plugin: OpaquePointer?, _ op: WireOp, _ fn: F?, _ userData: UnsafeMutableRawPointer?,
                                    _ free: bothost_free_fn?, _ out: UnsafeMutablePointer<bothost_handle>?,
                                    _ arguments: (inout WireWriter) -> Void) -> bothost_status {
        guard let child = child(plugin) else {
            // As in the host: no plugin to run a free on, so free on the calling thread.
            free?(userData)
            return stopped()
        }
        let function = fn.map { unsafeBitCast($0, to: UnsafeRawPointer.self) }
        return child.register(op, function: function, userData: userData, free: free, out: out, arguments)
    }

    /// A call whose result is a buffer the plugin owns (malloc'ed here, released with host->free).
    private static func buffer(_ plugin: OpaquePointer?, _ op: WireOp, _ out: UnsafeMutablePointer<bothost_buffer>?,
                               _ arguments: (inout WireWriter) -> Void) -> bothost_status {
        guard let child = child(plugin) else { return stopped() }
        guard let out else {
            LastError.set("this call needs an output buffer")
            return Status.invalidArgument
        }
        let (status, results) = child.call(op, arguments)
        guard status == Status.ok else { return status }
        let bytes = results.withUnsafeBytes { raw -> [UInt8] in
            var reader = WireReader(raw)
            return (try? reader.bytesArray()) ?? []
        }
        out.pointee = makeBuffer(bytes)
        return Status.ok
    }
}

/// Publisher names handed out by `bus_message_info` in the child. The host's slice outlives the
/// callback; here each distinct name is kept once for the life of the process (plugin names are few).
enum PublisherNames {
    private static let names = Mutex<[[UInt8]: UnsafeMutablePointer<CChar>]>([:])

    static func stable(_ name: [UInt8]) -> bothost_str {
        guard !name.isEmpty else { return bothost_str(ptr: nil, len: 0) }
        let pointer = names.withLock { table -> UnsafeMutablePointer<CChar> in
            if let existing = table[name] { return existing }
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: name.count)
            name.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { copy.update(from: $0.baseAddress!, count: name.count) }
            }
            table[name] = copy
            return copy
        }
        return bothost_str(ptr: pointer, len: name.count)
    }
}
