import BotHostCore
import DiscordClient
import PluginHost
import DAVE
import NIOCore
import NIOWebSocket

/// One entry per parser family, fed arbitrary bytes by the libFuzzer targets (Fuzz/) and by the
/// corpus replay test. Each drives the parsers the way the host does with data from the network
/// or from disk; a typed error is the expected outcome for most inputs, so errors are dropped
/// here, and only a crash (or a broken invariant, which traps) counts as a finding.
@_spi(Fuzzing) public enum FuzzEntry {
    /// Gateway frames, as records: kind selects the WebSocket opcode, the body is the frame's data.
    /// The first record's kind also selects the connection's settings: bit 0 compression
    /// (zlib-stream), bit 1 a small message limit.
    public static func gatewayFrames(_ input: [UInt8]) {
        var records = FuzzInput(input)
        guard let first = records.next() else { return }
        let limit = first.kind & 2 != 0 ? 512 : 1 << 20
        guard let reader = try? GatewayFrameReader(compressed: first.kind & 1 != 0, maxMessageBytes: limit) else { return }
        let opcodes: [WebSocketOpcode] = [.binary, .text, .connectionClose, .ping, .pong, .continuation]
        var record: (kind: UInt8, body: [UInt8])? = first
        while let (kind, body) = record {
            let frame = WebSocketFrame(fin: true, opcode: opcodes[Int(kind >> 2) % opcodes.count], data: ByteBuffer(bytes: body))
            if case .message(let message)? = try? reader.read(frame) {
                gatewayPayload(message)
            }
            record = records.next()
        }
    }

    /// One gateway message (main or voice gateway): the envelope, then every field reader the
    /// client applies to a `d`, whatever the op, so each reader sees every shape.
    public static func gatewayPayload(_ message: [UInt8]) {
        if let envelope = try? GatewayEnvelope.scan(message), let range = envelope.data {
            let data = message[range]
            _ = try? GatewayFields.heartbeatInterval(data)
            _ = try? ReadyEvent.decode(data)
            _ = GatewayFields.resumable(data)
            _ = GatewayFields.isSingleValue(Array(data))
            _ = try? VoiceDispatchFields.voiceState(data)
            _ = try? VoiceDispatchFields.voiceServer(data)
        }
        _ = VoiceServerEnvelope.binaryHeader(message)
        if let envelope = try? VoiceServerEnvelope.scan(message) {
            let data = envelope.data
            _ = try? VoiceServerMessage.hello(data)
            _ = try? VoiceServerMessage.ready(data)
            _ = try? VoiceServerMessage.sessionDescription(data)
            _ = try? VoiceServerMessage.speaking(data)
            _ = try? VoiceServerMessage.clientsConnect(data)
            _ = try? VoiceServerMessage.clientDisconnect(data)
        }
    }

    /// What an isolated plugin's process sends the host (calls, progress, its descriptor), as
    /// records: kind is the frame kind, the body the frame's body. The calls act for a plugin that
    /// has stopped, so every argument is parsed and checked and nothing else happens. The same
    /// bodies also go through the child's reader of the host's callbacks.
    public static func isolationFrames(_ input: [UInt8]) {
        let process = PluginProcess.parsingOnly()
        var records = FuzzInput(input)
        while let (kind, body) = records.next() {
            process.receive(kind: kind, body: body)
            IsolatedChild.fuzzCallback(body)
        }
    }

    /// plugins.json. What parses must survive a render and re-parse unchanged (the editor rewrites
    /// the file that way).
    public static func pluginsFile(_ bytes: [UInt8]) {
        guard let file = try? PluginsFileLoader.parse(bytes, file: "plugins.json") else { return }
        let rendered = Array(PluginsFileLoader.render(file).utf8)
        do {
            let again = try PluginsFileLoader.parse(rendered, file: "plugins.json")
            precondition(again == file, "plugins.json changed through render and re-parse")
        } catch {
            preconditionFailure("rendered plugins.json does not parse: \(error)")
        }
    }

    /// The voice media path, as records: kind 0 parses an RTP header and splits a payload after it;
    /// 1 hands the bytes to the receive pipeline as they are (they rarely authenticate); 2 seals
    /// the bytes after their RTP header with the session key first, so the pipeline's stages
    /// after decryption (split, reorder, Opus decode, concealment) see the fuzzer's bytes;
    /// 3 flushes a source; 4 reads an IP discovery response.
    public static func voiceMedia(_ input: [UInt8]) {
        let key = [UInt8](repeating: 0x5A, count: VoiceEncryptionMode.keyLength)
        let mode = VoiceEncryptionMode.aeadXChaCha20Poly1305RTPSize
        guard let opener = try? VoiceTransportCipher(mode: mode, secretKey: key),
              let sealer = try? VoiceTransportCipher(mode: mode, secretKey: key) else { return }
        let pipeline = VoiceReceivePipeline(cipher: opener, configuration: .init(reorderDepth: 3, maxSources: 4))
        var records = FuzzInput(input)
        while let (kind, body) = records.next() {
            switch kind % 5 {
            case 0:
                guard let header = try? RTPHeader.parse(body) else { continue }
                _ = try? header.splitPayload(length: body.count - header.clearLength, lastByte: body.last)
            case 1:
                _ = try? pipeline.receive(body)
            case 2:
                guard let header = try? RTPHeader.parse(body) else { continue }
                let packet = sealer.seal(header: Array(body[..<header.clearLength]), payload: Array(body[header.clearLength...]))
                _ = try? pipeline.receive(packet)
            case 3:
                if body.count >= 4 {
                    _ = pipeline.flush(ssrc: UInt32(body[0]) << 24 | UInt32(body[1]) << 16 | UInt32(body[2]) << 8 | UInt32(body[3]))
                } else {
                    _ = pipeline.flushAll()
                }
            default:
                _ = try? VoiceIPDiscovery.parseResponse(ByteBuffer(bytes: body))
            }
        }
        _ = pipeline.flushAll()
    }

    /// An INTERACTION_CREATE `d` as the router reads it; and, split at the first newline, a typed
    /// command line and the definition it is read against (the console's path).
    public static func interaction(_ bytes: [UInt8]) {
        if let parsed = ParsedInteraction(bytes) {
            _ = InteractionKind(rawValue: UInt32(clamping: max(0, parsed.type)))
        }
        guard let newline = bytes.firstIndex(of: 0x0A) else { return }
        let line = String(decoding: bytes[..<newline], as: UTF8.self)
        let name = LocalInvocation.tokenize(line).first.map { String($0.dropFirst()) } ?? ""
        _ = try? LocalInvocation.parse(line, definitions: [name: Array(bytes[(newline + 1)...])], userID: 1)
    }

    /// Control socket requests, one per line as the host reads them: what parses must survive its
    /// own encoding and a re-parse unchanged (the client writes requests that way).
    public static func controlRequests(_ bytes: [UInt8]) {
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard case .success(let request) = ControlRequest.parse(Array(line)) else { continue }
            guard case .success(let again) = ControlRequest.parse(request.json.compactBytes) else {
                preconditionFailure("an encoded control request does not parse")
            }
            precondition(again == request, "a control request changed through encoding and re-parse")
        }
    }

    /// DAVE, as records: what a voice server sends (binary frames with their sequence, JSON ops by
    /// the body's first byte), what a client sends (the local Discord reads those), and media
    /// frames from other members: opened as they come, and a real sealed frame with the body
    /// XORed into it, so the fuzzer reaches past the footer checks into the cipher.
    public static func dave(_ input: [UInt8]) {
        let ratchet = DAVEKeyRatchet(baseSecret: [UInt8](repeating: 0x5A, count: DAVEKeyRatchet.keyLength))
        let encryptor = DAVEFrameEncryptor()
        encryptor.setKeyRatchet(ratchet)
        let decryptor = DAVEFrameDecryptor()
        decryptor.transition(to: ratchet)
        var records = FuzzInput(input)
        while let (kind, body) = records.next() {
            switch kind % 6 {
            case 0:
                _ = try? DAVEServerMessage.decode(binaryFrame: body)
            case 1:
                _ = try? DAVEServerMessage.decode(jsonOpcode: Int(body.first ?? 0), data: Array(body.dropFirst()))
            case 2:
                _ = try? DAVEClientMessage.decode(binaryFrame: body)
            case 3:
                _ = try? DAVEClientMessage.decode(jsonOpcode: Int(body.first ?? 0), data: Array(body.dropFirst()))
            case 4:
                _ = try? decryptor.decrypt(body, mediaType: body.first.map { $0 & 1 == 0 ? .audio : .video } ?? .audio)
            default:
                guard var sealed = try? encryptor.encrypt([0xFC, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]) else { continue }
                for (index, byte) in body.enumerated() { sealed[index % sealed.count] ^= byte }
                _ = try? decryptor.decrypt(sealed)
            }
        }
    }
}
