import Foundation
import PluginAPI

/// A callback the host sent to an isolated plugin, decoded into owned values, and how it is
/// handed to the plugin's C function (with the structs the ABI defines, valid during the call).
enum ChildCallback {
    enum Lifecycle {
        case initialize, start, stop, barrier
        case configChanged([CChar])
        case cleanup(token: UInt64)
    }
    struct BusInfo { var shard: Int32; var sequence: Int64; var publisher: [UInt8] }
    struct Interaction {
        var handle: UInt64, command: [UInt8], json: [UInt8], userID: UInt64, guildID: UInt64, channelID: UInt64
        var permissions: UInt64, isOwner: UInt32, kind: UInt32, customID: [UInt8]
    }
    struct HTTPResponse {
        var status: Int32, httpStatus: UInt32, headers: [([UInt8], [UInt8])], body: [UInt8], error: [UInt8]
    }
    struct VoiceEvent { var kind: UInt32, guildID: UInt64, channelID: UInt64, userID: UInt64, speaking: UInt32, reason: [UInt8] }
    struct VoiceFrame {
        var guildID: UInt64, userID: UInt64, ssrc: UInt32, rtpTimestamp: UInt32, sequence: UInt16, concealed: UInt16
        var pcm: [Int16]?, opus: [UInt8]
    }

    case lifecycle(Lifecycle)
    case timer(UInt64)
    case bus(UInt64, [UInt8], [UInt8], BusInfo)
    case serve(UInt64, [UInt8], [UInt8], BusInfo)
    case reply(UInt64, Int32, [UInt8])
    case done(Int32, [UInt8])
    case command(Interaction)
    case http(UInt64, HTTPResponse)
    case discord(UInt64, Int32, UInt32, [UInt8])
    case voiceEvent(UInt64, VoiceEvent)
    case voiceFrame(UInt64, VoiceFrame)

    /// A callback frame's body (after seq and token) through the decoder, for the fuzz target.
    static func fuzz(_ body: [UInt8]) {
        body.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            guard let kind = try? reader.callback() else { return }
            _ = try? decode(kind, &reader)
        }
    }

    static func decode(_ kind: WireCallback, _ r: inout WireReader) throws(WireError) -> ChildCallback {
        func info(_ r: inout WireReader) throws(WireError) -> BusInfo {
            BusInfo(shard: try r.i32(), sequence: try r.i64(), publisher: try r.bytesArray())
        }
        switch kind {
        case .initialize: return .lifecycle(.initialize)
        case .start: return .lifecycle(.start)
        case .stop: return .lifecycle(.stop)
        case .barrier: return .lifecycle(.barrier)
        case .configChanged: return .lifecycle(.configChanged(try r.bytesArray().map { CChar(bitPattern: $0) }))
        case .cleanup: return .lifecycle(.cleanup(token: try r.u64()))
        case .timer: return .timer(try r.u64())
        case .bus: return .bus(try r.u64(), try r.bytesArray(), try r.bytesArray(), try info(&r))
        case .serve: return .serve(try r.u64(), try r.bytesArray(), try r.bytesArray(), try info(&r))
        case .reply: return .reply(try r.u64(), try r.i32(), try r.bytesArray())
        case .done: return .done(try r.i32(), try r.bytesArray())
        case .command:
            return .command(Interaction(handle: try r.u64(), command: try r.bytesArray(), json: try r.bytesArray(), userID: try r.u64(),
                                        guildID: try r.u64(), channelID: try r.u64(), permissions: try r.u64(), isOwner: try r.u32(),
                                        kind: try r.u32(), customID: try r.bytesArray()))
        case .http:
            let request = try r.u64(), status = try r.i32(), httpStatus = try r.u32()
            let count = Int(try r.u32())
            guard count <= 10_000 else { throw WireError("\(count) headers") }
            var headers: [([UInt8], [UInt8])] = []
            for _ in 0..<count { headers.append((try r.bytesArray(), try r.bytesArray())) }
            return .http(request, HTTPResponse(status: status, httpStatus: httpStatus, headers: headers, body: try r.bytesArray(), error: try r.bytesArray()))
        case .discord: return .discord(try r.u64(), try r.i32(), try r.u32(), try r.bytesArray())
        case .voiceEvent:
            return .voiceEvent(try r.u64(), VoiceEvent(kind: try r.u32(), guildID: try r.u64(), channelID: try r.u64(), userID: try r.u64(),
                                                       speaking: try r.u32(), reason: try r.bytesArray()))
        case .voiceFrame:
            let subscription = try r.u64()
            var frame = VoiceFrame(guildID: try r.u64(), userID: try r.u64(), ssrc: try r.u32(), rtpTimestamp: try r.u32(),
                                   sequence: try r.u16(), concealed: try r.u16(), pcm: nil, opus: [])
            let pcm = try r.data()
            if !pcm.isEmpty {
                // Copied, not rebound: the field may sit at any offset of the frame.
                var samples = [Int16](repeating: 0, count: pcm.count / 2)
                samples.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: pcm[0..<($0.count)])) }
                frame.pcm = samples
            }
            frame.opus = try r.bytesArray()
            return .voiceFrame(subscription, frame)
        }
    }

    /// Calls the plugin's function with this callback's arguments.
    func invoke(_ function: UnsafeRawPointer, _ userData: UnsafeMutableRawPointer?, selfPointer: OpaquePointer) {
        switch self {
        case .lifecycle:
            return
        case .timer(let handle):
            unsafeBitCast(function, to: bothost_timer_fn.self)(userData, handle)
        case .bus(let subscription, let topic, let payload, let info):
            ChildBusMessage.with(info) {
                withCStr(topic) { t in withCBytes(payload) { p in unsafeBitCast(function, to: bothost_bus_fn.self)(userData, subscription, t, p) } }
            }
        case .serve(let request, let topic, let payload, let info):
            ChildBusMessage.with(info) {
                withCStr(topic) { t in withCBytes(payload) { p in unsafeBitCast(function, to: bothost_bus_serve_fn.self)(userData, request, t, p) } }
            }
        case .reply(let request, let status, let payload):
            withCBytes(payload) { p in unsafeBitCast(function, to: bothost_reply_fn.self)(userData, request, status, p) }
        case .done(let status, let body):
            withCBytes(body) { b in unsafeBitCast(function, to: bothost_done_fn.self)(userData, status, b) }
        case .command(let i):
            withInteraction(handle: i.handle, command: i.command, json: i.json, userID: i.userID, guildID: i.guildID, channelID: i.channelID,
                            permissions: i.permissions, isOwner: i.isOwner, kind: i.kind, customID: i.customID) {
                unsafeBitCast(function, to: bothost_command_fn.self)(userData, $0)
            }
        case .http(let request, let response):
            // The header structs point into arrays that live until the call returns.
            let names = response.headers.map { $0.0.map { CChar(bitPattern: $0) } }
            let values = response.headers.map { $0.1.map { CChar(bitPattern: $0) } }
            var headers: [bothost_header] = []
            func call(_ index: Int) {
                if index == names.count {
                    withCBytes(response.body) { body in withCStr(response.error) { error in headers.withUnsafeBufferPointer { list in
                        var r = bothost_http_response()
                        r.struct_size = UInt32(MemoryLayout<bothost_http_response>.size)
                        r.status = response.status
                        r.http_status = response.httpStatus
                        r.headers = list.baseAddress
                        r.header_count = list.count
                        r.body = body
                        r.error = error
                        unsafeBitCast(function, to: bothost_http_fn.self)(userData, request, &r)
                    } } }
                    return
                }
                names[index].withUnsafeBufferPointer { name in values[index].withUnsafeBufferPointer { value in
                    headers.append(bothost_header(name: bothost_str(ptr: name.baseAddress, len: name.count),
                                                  value: bothost_str(ptr: value.baseAddress, len: value.count)))
                    call(index + 1)
                } }
            }
            call(0)
        case .discord(let request, let status, let httpStatus, let body):
            withCBytes(body) { b in unsafeBitCast(function, to: bothost_discord_fn.self)(userData, request, status, httpStatus, b) }
        case .voiceEvent(let subscription, let e):
            withVoiceEvent(kind: e.kind, guildID: e.guildID, channelID: e.channelID, userID: e.userID, speaking: e.speaking, reason: e.reason) {
                unsafeBitCast(function, to: bothost_voice_event_fn.self)(userData, subscription, $0)
            }
        case .voiceFrame(let subscription, let f):
            withVoiceFrame(guildID: f.guildID, userID: f.userID, ssrc: f.ssrc, rtpTimestamp: f.rtpTimestamp, sequence: f.sequence,
                           concealed: f.concealed, pcm: f.pcm, opus: f.opus) {
                unsafeBitCast(function, to: bothost_voice_frame_fn.self)(userData, subscription, $0)
            }
        }
    }
}

/// The details of the bus message a callback in the child is delivering, for `bus_message_info`.
/// Set only on the executor thread, where bus callbacks run.
enum ChildBusMessage {
    private final class Slot { var info: ChildCallback.BusInfo? }
    private static let slots = ThreadSlot { Slot() }

    static func with(_ info: ChildCallback.BusInfo, _ body: () -> Void) {
        let slot = slots.current
        let previous = slot.info
        slot.info = info
        defer { slot.info = previous }
        body()
    }

    static var current: ChildCallback.BusInfo? { slots.current.info }
}
