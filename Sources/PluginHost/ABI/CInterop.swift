import Foundation
import PluginAPI

/// Status codes as Swift values (the header's anonymous enum imports as `Int`).
package enum Status {
    package static let ok = bothost_status(BOTHOST_OK)
    package static let invalidArgument = bothost_status(BOTHOST_E_INVALID_ARGUMENT)
    package static let notFound = bothost_status(BOTHOST_E_NOT_FOUND)
    package static let stopped = bothost_status(BOTHOST_E_STOPPED)
    package static let timeout = bothost_status(BOTHOST_E_TIMEOUT)
    package static let noResponder = bothost_status(BOTHOST_E_NO_RESPONDER)
    package static let queueFull = bothost_status(BOTHOST_E_QUEUE_FULL)
    package static let conflict = bothost_status(BOTHOST_E_CONFLICT)
    package static let unsupported = bothost_status(BOTHOST_E_UNSUPPORTED)
    package static let io = bothost_status(BOTHOST_E_IO)
    package static let tooLarge = bothost_status(BOTHOST_E_TOO_LARGE)
    package static let cancelled = bothost_status(BOTHOST_E_CANCELLED)
    package static let internalError = bothost_status(BOTHOST_E_INTERNAL)
    package static let denied = bothost_status(BOTHOST_E_DENIED)
    package static let wrongType = bothost_status(BOTHOST_E_WRONG_TYPE)
    package static let badPointer = bothost_status(BOTHOST_E_BAD_POINTER)

    package static func name(_ status: bothost_status) -> String {
        switch Int(status) {
        case Int(BOTHOST_OK): "OK"
        case Int(BOTHOST_E_INVALID_ARGUMENT): "INVALID_ARGUMENT"
        case Int(BOTHOST_E_NOT_FOUND): "NOT_FOUND"
        case Int(BOTHOST_E_STOPPED): "STOPPED"
        case Int(BOTHOST_E_TIMEOUT): "TIMEOUT"
        case Int(BOTHOST_E_NO_RESPONDER): "NO_RESPONDER"
        case Int(BOTHOST_E_QUEUE_FULL): "QUEUE_FULL"
        case Int(BOTHOST_E_CONFLICT): "CONFLICT"
        case Int(BOTHOST_E_UNSUPPORTED): "UNSUPPORTED"
        case Int(BOTHOST_E_IO): "IO"
        case Int(BOTHOST_E_TOO_LARGE): "TOO_LARGE"
        case Int(BOTHOST_E_CANCELLED): "CANCELLED"
        case Int(BOTHOST_E_INTERNAL): "INTERNAL"
        case Int(BOTHOST_E_DENIED): "DENIED"
        case Int(BOTHOST_E_WRONG_TYPE): "WRONG_TYPE"
        case Int(BOTHOST_E_BAD_POINTER): "BAD_POINTER"
        default: status >= Int32(BOTHOST_E_PLUGIN) ? "PLUGIN_\(status)" : "STATUS_\(status)"
        }
    }
}

/// A host-call failure: the status returned to the plugin and the detail for `last_error`.
package struct HostCallError: Error {
    package let status: bothost_status
    package let detail: String
    package init(_ status: bothost_status, _ detail: String) {
        self.status = status
        self.detail = detail
    }
}

extension bothost_str {
    /// The slice as bytes (copied).
    package var bytes: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return ptr.withMemoryRebound(to: UInt8.self, capacity: len) { Array(UnsafeBufferPointer(start: $0, count: len)) }
    }

    /// The slice as a String, or an error when it is not valid UTF-8.
    package func string(_ what: String) throws(HostCallError) -> String {
        guard let ptr, len > 0 else { return "" }
        let buffer = UnsafeRawBufferPointer(start: ptr, count: len)
        guard let text = String(validating: buffer, as: UTF8.self) else {
            throw HostCallError(Status.invalidArgument, "\(what) is not valid UTF-8")
        }
        return text
    }
}

extension bothost_bytes {
    package var array: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: ptr, count: len))
    }
}

/// Calls `body` with a bothost_str viewing the bytes (valid only inside `body`).
@inline(__always)
package func withCStr<R>(_ bytes: [UInt8], _ body: (bothost_str) -> R) -> R {
    bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
            body(bothost_str(ptr: chars.baseAddress, len: chars.count))
        }
    }
}

@inline(__always)
package func withCStr<R>(_ text: String, _ body: (bothost_str) -> R) -> R {
    var text = text
    return text.withUTF8 { utf8 in
        utf8.withMemoryRebound(to: CChar.self) { chars in
            body(bothost_str(ptr: chars.baseAddress, len: chars.count))
        }
    }
}

@inline(__always)
package func withCBytes<R>(_ bytes: [UInt8], _ body: (bothost_bytes) -> R) -> R {
    bytes.withUnsafeBufferPointer { body(bothost_bytes(ptr: $0.baseAddress, len: $0.count)) }
}

/// Copies bytes into malloc'd memory the plugin releases with host->free.
package func makeBuffer(_ bytes: [UInt8]) -> bothost_buffer {
    let memory = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: UInt8.self)
    bytes.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { memory.update(from: base, count: bytes.count) }
    }
    return bothost_buffer(ptr: memory, len: bytes.count)
}

/// Reads a NUL-terminated string from plugin memory, bounded so that a missing NUL cannot run away.
package func boundedCString(_ pointer: UnsafePointer<CChar>?, limit: Int = 4096) -> String? {
    guard let pointer else { return nil }
    let length = strnlen(pointer, limit)
    guard length < limit else { return nil }
    return String(validating: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
}

/// Calls `body` with the `bothost_interaction` a command, component or autocomplete handler gets
/// (its strings valid only inside `body`).
package func withInteraction<R>(handle: UInt64, command: [UInt8], json: [UInt8], userID: UInt64, guildID: UInt64, channelID: UInt64,
                                permissions: UInt64, isOwner: UInt32, kind: UInt32, customID: [UInt8],
                                _ body: (UnsafePointer<bothost_interaction>) -> R) -> R {
    withCStr(command) { command in
        withCStr(json) { json in
            withCStr(customID) { customID in
                var interaction = bothost_interaction()
                interaction.struct_size = UInt32(MemoryLayout<bothost_interaction>.size)
                interaction.interaction = handle
                interaction.command = command
                interaction.json = json
                interaction.user_id = userID
                interaction.guild_id = guildID
                interaction.channel_id = channelID
                interaction.member_permissions = permissions
                interaction.is_owner = isOwner
                interaction.kind = kind
                interaction.custom_id = customID
                return body(&interaction)
            }
        }
    }
}

/// Calls `body` with the `bothost_voice_event` a voice event handler gets (its reason valid only
/// inside `body`).
package func withVoiceEvent<R>(kind: UInt32, guildID: UInt64, channelID: UInt64, userID: UInt64, speaking: UInt32, reason: [UInt8],
                               _ body: (UnsafePointer<bothost_voice_event>) -> R) -> R {
    withCStr(reason) { reason in
        var event = bothost_voice_event()
        event.struct_size = UInt32(MemoryLayout<bothost_voice_event>.size)
        event.kind = kind
        event.guild_id = guildID
        event.channel_id = channelID
        event.user_id = userID
        event.speaking = speaking
        event.reason = reason
        return body(&event)
    }
}

/// Calls `body` with the `bothost_voice_frame` an audio handler gets: `pcm` for a PCM
/// subscription, `opus` for an Opus one (both valid only inside `body`).
package func withVoiceFrame<R>(guildID: UInt64, userID: UInt64, ssrc: UInt32, rtpTimestamp: UInt32, sequence: UInt16, concealed: UInt16,
                               pcm: [Int16]?, opus: [UInt8], _ body: (UnsafePointer<bothost_voice_frame>) -> R) -> R {
    func deliver(_ samples: UnsafePointer<Int16>?, _ packet: bothost_bytes) -> R {
        var frame = bothost_voice_frame()
        frame.struct_size = UInt32(MemoryLayout<bothost_voice_frame>.size)
        frame.guild_id = guildID
        frame.user_id = userID
        frame.ssrc = ssrc
        frame.rtp_timestamp = rtpTimestamp
        frame.sequence = sequence
        frame.concealed = concealed
        frame.pcm = samples
        frame.opus = packet
        return body(&frame)
    }
    if let pcm { return pcm.withUnsafeBufferPointer { deliver($0.baseAddress, bothost_bytes(ptr: nil, len: 0)) } }
    return withCBytes(opus) { deliver(nil, $0) }
}
