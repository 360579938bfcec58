import BotHostCore

/// The frame of one gateway payload, `{"op", "d", "s", "t"}`, found by scanning the bytes once.
/// `data` is the byte range of `d` inside the message, so a dispatch is passed on exactly as
/// Discord sent it and never re-encoded. Public for tools that read gateway traffic (and the bench).
public struct GatewayEnvelope: Equatable, Sendable {
    public var op: Int
    public var sequence: Int?
    public var event: String?
    /// Where `d`'s value lies in the scanned bytes (`null` included); nil when `d` is absent.
    public var data: Range<Int>?

    package init(op: Int, sequence: Int? = nil, event: String? = nil, data: Range<Int>? = nil) {
        self.op = op
        self.sequence = sequence
        self.event = event
        self.data = data
    }

    public static func scan(_ message: [UInt8]) throws(JSONScanError) -> GatewayEnvelope {
        try scan(message[...])
    }

    public static func scan(_ message: ArraySlice<UInt8>) throws(JSONScanError) -> GatewayEnvelope {
        // One pass over the message's memory: every dispatch comes through here.
        let offset = message.startIndex
        return try message.withUnsafeBufferPointer { (buffer) throws(JSONScanError) in
            var scanner = JSONByteCursor(buffer, at: 0)
            var op: Int?
            var sequence: Int?
            var event: String?
            var data: Range<Int>?
            try scanner.scanObject { (key, s) throws(JSONScanError) in
                switch key {
                case "op": op = try s.readInteger()
                case "s": sequence = s.readNull() ? nil : try s.readInteger()
                case "t": event = s.readNull() ? nil : try s.readString()
                case "d":
                    let range = try s.skipValue()
                    data = (offset + range.lowerBound)..<(offset + range.upperBound)
                default: _ = try s.skipValue()
                }
            }
            try scanner.expectEnd()
            guard let op else { throw JSONScanError(offset: 0, expected: "an \"op\" member") }
            return GatewayEnvelope(op: op, sequence: sequence, event: event, data: data)
        }
    }
}

/// The few fields the client itself needs from inside `d` (READY's are `ReadyEvent`). Each reads
/// only the top level and skips the rest.
package enum GatewayFields {
    /// Hello's `heartbeat_interval`, in milliseconds.
    package static func heartbeatInterval(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> Double {
        var interval: Double?
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            if key == "heartbeat_interval" { interval = try s.readNumber() } else { try s.skipValue() }
        }
        guard let interval, interval > 0, interval.isFinite else {
            throw JSONScanError(offset: 0, expected: "a positive \"heartbeat_interval\"")
        }
        return interval
    }

    /// Invalid Session's `d`: whether the session may be resumed. Anything but `true` means no.
    package static func resumable(_ data: ArraySlice<UInt8>) -> Bool {
        var scanner = JSONScanner(data)
        return (try? scanner.readBool()) ?? false
    }

    /// Whether `bytes` hold exactly one JSON value (used to check what callers ask us to send).
    package static func isSingleValue(_ bytes: [UInt8]) -> Bool {
        var scanner = JSONScanner(bytes)
        do {
            try scanner.skipValue()
            try scanner.expectEnd()
            return true
        } catch {
            return false
        }
    }
}
