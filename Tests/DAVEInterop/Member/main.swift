import DAVE
import Foundation

// One call member played by BotHost's DAVE implementation (DAVESession), for the interop driver
// Tests/Interop/DAVE/: it speaks a line protocol on standard input and output. Each command is
// answered by zero or more lines, then "ok" or "error TEXT".
//
//   session USER CHANNEL      a new member (time starts at 0 and moves only by "advance")
//   start VERSION             op 4's dave_protocol_version (and every reconnect)
//   connect USER...           op 11          disconnect USER   op 13
//   binary HEX                a binary server frame: u16 sequence, u8 opcode, payload
//   json OP HEX               a JSON server op, HEX being the UTF-8 of its "d" object
//   encrypt HEX               our Opus frame          -> "frame HEX"
//   decrypt USER HEX          a frame from USER       -> "plain HEX" or "refused REASON"
//   decrypt-video USER HEX    the same for a video frame (no silence rule)
//   status                    -> "status EPOCH|- VERSION CODE|-"
//   advance MILLISECONDS      move the member's clock forward
//
// What the session asks to send comes out as "send-binary HEX" (a client frame: u8 opcode,
// payload) or "send-json OP HEX"; other events as "event TEXT".

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func bytes(fromHex text: Substring) throws -> [UInt8] {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { throw DAVEError.malformedMessage("odd-length hex") }
    return try stride(from: 0, to: digits.count, by: 2).map { index in
        guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
            throw DAVEError.malformedMessage("bad hex")
        }
        return byte
    }
}

func number<T: FixedWidthInteger>(_ text: Substring?) throws -> T {
    guard let text, let value = T(text) else { throw DAVEError.malformedMessage("expected a number, got \(text ?? "nothing")") }
    return value
}

let time = DAVEClock.ManualTime()
var session: DAVESession?

func output(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func report(_ events: [DAVESessionEvent]) throws {
    for event in events {
        switch event {
        case .send(let message):
            if message.opcode.isBinary {
                output("send-binary " + hex(try message.binaryFrame()))
            } else {
                output("send-json \(message.opcode.rawValue) " + hex(try message.jsonData()))
            }
        case .sendingKeyChanged(let epoch): output("event sending-key \(epoch.map(String.init) ?? "-")")
        case .groupChanged(let epoch, let code): output("event group \(epoch) \(code)")
        case .protocolVersionChanged(let version): output("event version \(version)")
        case .recovering(let reason): output("event recovering \(reason)")
        }
    }
}

@MainActor func member() throws -> DAVESession {
    guard let session else { throw DAVEError.unexpectedState("no session yet") }
    return session
}

@MainActor func run(_ words: [Substring]) throws {
    guard let command = words.first else { return }
    let arguments = words.dropFirst()
    switch command {
    case "session":
        session = DAVESession(userID: try number(arguments.first), channelID: try number(arguments.dropFirst().first), clock: .manual(time))
    case "start":
        try report(try member().start(protocolVersion: try number(arguments.first)))
    case "connect":
        try member().clientsConnected(try arguments.map { try number($0) })
    case "disconnect":
        try member().clientDisconnected(try number(arguments.first))
    case "binary":
        let frame = try bytes(fromHex: arguments.first ?? "")
        try report(try member().receive(try DAVEServerMessage.decode(binaryFrame: frame).message))
    case "json":
        let op: Int = try number(arguments.first)
        let data = try bytes(fromHex: arguments.dropFirst().first ?? "")
        try report(try member().receive(try DAVEServerMessage.decode(jsonOpcode: op, data: data)))
    case "encrypt":
        output("frame " + hex(try member().encryptor.encrypt(try bytes(fromHex: arguments.first ?? ""))))
    case "decrypt", "decrypt-video":
        let sender: UInt64 = try number(arguments.first)
        let frame = try bytes(fromHex: arguments.dropFirst().first ?? "")
        do {
            let mediaType: DAVEMediaType = command == "decrypt" ? .audio : .video
            output("plain " + hex(try member().decryptor(for: sender).decrypt(frame, mediaType: mediaType)))
        } catch {
            output("refused \(error)")
        }
    case "status":
        let current = try member()
        output("status \(current.epoch.map(String.init) ?? "-") \(current.protocolVersion) \(current.privacyCode ?? "-")")
    case "advance":
        time.advance(by: .milliseconds(try number(arguments.first) as Int64))
    default:
        throw DAVEError.malformedMessage("unknown command \(command)")
    }
}

while let line = readLine() {
    do {
        try run(line.split(separator: " "))
        output("ok")
    } catch {
        output("error \(error)".replacingOccurrences(of: "\n", with: " "))
    }
}
