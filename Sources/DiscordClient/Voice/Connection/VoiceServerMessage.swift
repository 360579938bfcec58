import BotHostCore

/// The voice gateway's opcodes.
package enum VoiceOpcode {
    package static let identify = 0
    package static let selectProtocol = 1
    package static let ready = 2
    package static let heartbeat = 3
    package static let sessionDescription = 4
    package static let speaking = 5
    package static let heartbeatAck = 6
    package static let resume = 7
    package static let hello = 8
    package static let resumed = 9
    package static let clientsConnect = 11
    package static let clientDisconnect = 13
    /// DAVE (end-to-end encryption): JSON ops 21–24 and 31, binary ops 25–30.
    package static let dave: ClosedRange<Int> = 21...31
}

/// One JSON message from the voice server: `{"op", "d", "seq"}`, with `d` left as bytes until the
/// op says what it holds.
package struct VoiceServerEnvelope: Equatable {
    package var op: Int
    /// Present on messages the server numbers; echoed as `seq_ack`.
    package var sequence: Int?
    package var data: ArraySlice<UInt8>

    package static func scan(_ message: [UInt8]) throws(JSONScanError) -> VoiceServerEnvelope {
        var scanner = JSONScanner(message)
        var op: Int?
        var sequence: Int?
        var data: Range<Int>?
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            switch key {
            case "op": op = try s.readInteger()
            case "seq": sequence = s.readNull() ? nil : try s.readInteger()
            case "d": data = try s.skipValue()
            default: try s.skipValue()
            }
        }
        try scanner.expectEnd()
        guard let op else { throw JSONScanError(offset: 0, expected: "an \"op\" member") }
        return VoiceServerEnvelope(op: op, sequence: sequence, data: data.map { message[$0] } ?? [])
    }

    /// A binary message's header: server→client binary frames are `[u16 seq][u8 op][payload]`.
    package static func binaryHeader(_ frame: [UInt8]) -> (sequence: Int, op: Int)? {
        guard frame.count >= binaryHeaderLength else { return nil }
        return (Int(frame[0]) << 8 | Int(frame[1]), Int(frame[2]))
    }

    package static let binaryHeaderLength = 3
}

/// The fields the client reads from each server message's `d`. Unknown members are skipped.
package enum VoiceServerMessage {
    package struct Ready: Equatable {
        package var ssrc: UInt32
        package var ip: String
        package var port: Int
        package var modes: [String]

        package init(ssrc: UInt32, ip: String, port: Int, modes: [String]) {
            self.ssrc = ssrc
            self.ip = ip
            self.port = port
            self.modes = modes
        }
    }

    package struct SessionDescription: Equatable {
        package var mode: String
        package var secretKey: [UInt8]
        /// The DAVE protocol version the server chose (0, or absent: transport encryption only).
        package var daveProtocolVersion = 0
    }

    package struct Speaking: Equatable {
        package var userID: UInt64?
        package var ssrc: UInt32

        package init(userID: UInt64? = nil, ssrc: UInt32) {
            self.userID = userID
            self.ssrc = ssrc
        }
    }

    package static let secretKeyLength = 32

    /// Hello's `heartbeat_interval` in milliseconds (Discord sends it as a number with a fraction).
    package static func hello(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> Double {
        try GatewayFields.heartbeatInterval(data)
    }

    package static func ready(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> Ready {
        var ssrc: UInt32?
        var ip: String?
        var port: Int?
        var modes: [String]?
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            switch key {
            case "ssrc": ssrc = try readSSRC(&s)
            case "ip": ip = try s.readString()
            case "port": port = try s.readInteger()
            case "modes": modes = try s.readStrings()
            default: try s.skipValue()
            }
        }
        guard let ssrc, let ip, !ip.isEmpty, let port, (1...65535).contains(port), let modes else {
            throw JSONScanError(offset: 0, expected: "Ready with ssrc, ip, port (1–65535) and modes")
        }
        return Ready(ssrc: ssrc, ip: ip, port: port, modes: modes)
    }

    package static func sessionDescription(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> SessionDescription {
        var mode: String?
        var key: [UInt8]?
        var daveVersion = 0
        var scanner = JSONScanner(data)
        try scanner.scanObject { (name, s) throws(JSONScanError) in
            switch name {
            case "mode": mode = try s.readString()
            case "secret_key":
                var bytes: [UInt8] = []
                try s.scanArray { (_, element) throws(JSONScanError) in
                    let value = try element.readInteger()
                    guard let byte = UInt8(exactly: value) else { throw element.error("a byte (0–255) in secret_key") }
                    bytes.append(byte)
                }
                key = bytes
            case "dave_protocol_version":
                if !s.readNull() {
                    daveVersion = try s.readInteger()
                    guard daveVersion >= 0 else { throw s.error("a DAVE protocol version of 0 or more") }
                }
            default: try s.skipValue()
            }
        }
        guard let mode, let key else {
            throw JSONScanError(offset: 0, expected: "Session Description with mode and secret_key")
        }
        guard key.count == secretKeyLength else {
            throw JSONScanError(offset: 0, expected: "a secret_key of \(secretKeyLength) bytes (got \(key.count))")
        }
        return SessionDescription(mode: mode, secretKey: key, daveProtocolVersion: daveVersion)
    }

    package static func speaking(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> Speaking {
        var userID: UInt64?
        var ssrc: UInt32?
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            switch key {
            case "user_id": userID = s.readNull() ? nil : try s.readSnowflake()
            case "ssrc": ssrc = try readSSRC(&s)
            default: try s.skipValue()
            }
        }
        guard let ssrc else { throw JSONScanError(offset: 0, expected: "Speaking with an ssrc") }
        return Speaking(userID: userID, ssrc: ssrc)
    }

    package static func clientsConnect(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> [UInt64] {
        var users: [UInt64] = []
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            if key == "user_ids" {
                try s.scanArray { (_, element) throws(JSONScanError) in users.append(try element.readSnowflake()) }
            } else {
                try s.skipValue()
            }
        }
        return users
    }

    package static func clientDisconnect(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> UInt64 {
        var user: UInt64?
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            if key == "user_id" { user = try s.readSnowflake() } else { try s.skipValue() }
        }
        guard let user else { throw JSONScanError(offset: 0, expected: "Client Disconnect with a user_id") }
        return user
    }

    private static func readSSRC(_ s: inout JSONScanner) throws(JSONScanError) -> UInt32 {
        let value = try s.readInteger()
        guard let ssrc = UInt32(exactly: value) else { throw s.error("an SSRC (0–4294967295)") }
        return ssrc
    }
}
