/// A line protocol through which another process drives and reads the emulator, as the Swift
/// tests do through `DiscordEmulator` itself: one JSON object per request line, one JSON object
/// per answer line. `bothost emulator --control` speaks it on stdin/stdout, so a client written
/// in any language can be tested against the emulator, faults included.
///
/// Every request has `"do"`; answers carry `"ok": true` and the result, or `"ok": false` and
/// `"error"`. Ids are strings, as on Discord.
///
/// - `fault` `{"fault": "drop_connections" | "reconnect" | "request_heartbeat" | "invalid_session"
///   | "close", "resumable": bool, "code": int, "shard": int?}` → `affected`
/// - `user_sends_message` `{"channel_id", "content", "user_id"?}` → `message_id`
/// - `user_invokes_command` `{"name", "options"?: [...], "channel_id"?, "user_id"?}` →
///   `interaction_id`, `token`
/// - `messages` `{"channel_id"}` → `messages` (message objects as REST returns them, each with
///   the emulator's `edit_count` added)
/// - `interaction_responses` `{"interaction_id"}` → `responses` (`kind`, `type`, `status`, `body`)
/// - `commands` `{"guild_id"?}` → `commands` (command objects)
/// - `gateway_frames` `{"since"?: index}` → `frames` (`index`, `connection`, `via_resume_url`,
///   `direction`, `op`, `t`, `s`, `close_code`, `session_id`, `json` but for dispatches sent),
///   `next` (the index to pass as `since` to read only newer ones)
/// - `identifies` → `identifies` (`connection`, `shard`, `outcome`, `session_id`)
/// - `requests` → `requests` (`method`, `path`, `status`)
/// - `advance_clock` `{"ms"}`
/// - `urls` → `api_url`, `gateway_url`, `resume_gateway_url`, `token`, `application_id`,
///   `bot_user_id`
public struct EmulatorControl: Sendable {
    public let emulator: DiscordEmulator

    public init(_ emulator: DiscordEmulator) {
        self.emulator = emulator
    }

    /// The line `bothost emulator --control` prints first: where the emulator listens.
    public var greeting: String { Self.ok(urls).text }

    /// Answers one request line with one answer line (no newline).
    public func answer(_ line: String) -> String {
        let request: WireJSON
        do {
            request = try WireJSONParser.parse(line)
        } catch {
            return Self.failure("not JSON: \(error)").text
        }
        guard request.objectMembers != nil, let action = request["do"]?.stringValue else {
            return Self.failure("expected an object with \"do\"").text
        }
        do throws(ControlError) {
            return Self.ok(try perform(action, request)).text
        } catch {
            return Self.failure(error.reason).text
        }
    }

    struct ControlError: Error {
        var reason: String
    }

    private func perform(_ action: String, _ request: WireJSON) throws(ControlError) -> WireJSON {
        switch action {
        case "urls": return urls
        case "fault":
            let fault = try Self.fault(request)
            let shard = request["shard"]?.int64Value.map(Int.init)
            let before = emulator.faults.count
            emulator.inject(fault, shard: shard)
            let affected = emulator.faults.dropFirst(before).first?.affected ?? 0
            return ["affected": .int(Int64(affected))]
        case "user_sends_message":
            let channelID = try Self.snowflake(request, "channel_id")
            guard let content = request["content"]?.stringValue else { throw ControlError(reason: "content: expected a string") }
            let userID = request["user_id"]?.snowflake ?? 3000
            let id = emulator.userSendsMessage(channelID: channelID, content: content, userID: userID)
            return ["message_id": .snowflake(id)]
        case "user_invokes_command":
            guard let name = request["name"]?.stringValue else { throw ControlError(reason: "name: expected a string") }
            let options = request["options"].flatMap { $0.arrayValue != nil ? $0 : nil } ?? .array([])
            let (id, token) = emulator.userInvokesCommand(
                name: name, options: options.text, channelID: request["channel_id"]?.snowflake ?? 2001,
                userID: request["user_id"]?.snowflake ?? 3000)
            return ["interaction_id": .snowflake(id), "token": .string(token)]
        case "messages":
            let channelID = try Self.snowflake(request, "channel_id")
            let messages = emulator.messages(in: channelID).map { message -> WireJSON in
                let object = (try? WireJSONParser.parse(message.json)) ?? .object([])
                return object.setting("edit_count", .int(Int64(message.editCount)))
            }
            return ["messages": .array(messages)]
        case "interaction_responses":
            let id = try Self.snowflake(request, "interaction_id")
            let responses = emulator.interactionResponses(id).map { response -> WireJSON in
                [
                    "kind": .string(Self.name(of: response.kind)), "type": response.type.map { .int(Int64($0)) } ?? .null,
                    "status": .int(Int64(response.status)), "body": .string(response.body),
                ]
            }
            return ["responses": .array(responses)]
        case "commands":
            let commands = emulator.commands(guildID: request["guild_id"]?.snowflake).map { command in
                (try? WireJSONParser.parse(command.json)) ?? .object([])
            }
            return ["commands": .array(commands)]
        case "gateway_frames":
            let since = max(0, request["since"]?.int64Value.map(Int.init) ?? 0)
            let all = emulator.gatewayEvents
            let frames = all.enumerated().dropFirst(since).map { index, frame in Self.frameObject(frame, index: index) }
            return ["frames": .array(frames), "next": .int(Int64(all.count))]
        case "identifies":
            let identifies = emulator.identifies.map { identify -> WireJSON in
                let (outcome, sessionID): (String, WireJSON) = switch identify.outcome {
                case .accepted(let sessionID): ("accepted", .string(sessionID))
                case .closed(let code): ("closed \(code)", .null)
                case .invalidSession: ("invalid_session", .null)
                }
                return [
                    "connection": .int(Int64(identify.connectionID)), "shard": .int(Int64(identify.shard)),
                    "outcome": .string(outcome), "session_id": sessionID,
                ]
            }
            return ["identifies": .array(identifies)]
        case "requests":
            let requests = emulator.requests.map { request -> WireJSON in
                ["method": .string(request.method), "path": .string(request.path), "status": .int(Int64(request.status))]
            }
            return ["requests": .array(requests)]
        case "advance_clock":
            guard let ms = request["ms"]?.int64Value, ms >= 0 else { throw ControlError(reason: "ms: expected a non-negative integer") }
            emulator.advanceClock(ms: ms)
            return [:]
        default:
            throw ControlError(reason: "unknown \"do\": \(action)")
        }
    }

    private var urls: WireJSON {
        let configuration = emulator.configuration
        return [
            "api_url": .string(emulator.apiBaseURL), "gateway_url": .string(emulator.gatewayURL),
            "resume_gateway_url": .string(emulator.resumeGatewayURL), "token": .string(configuration.token),
            "application_id": .snowflake(configuration.applicationID), "bot_user_id": .snowflake(configuration.botUserID),
        ]
    }

    private static func fault(_ request: WireJSON) throws(ControlError) -> GatewayFault {
        switch request["fault"]?.stringValue {
        case "drop_connections": return .dropConnections
        case "reconnect": return .reconnect
        case "request_heartbeat": return .requestHeartbeat
        case "stop_heartbeat_acks": return .stopHeartbeatACKs
        case "resume_heartbeat_acks": return .resumeHeartbeatACKs
        case "invalid_session":
            guard let resumable = request["resumable"]?.boolValue else { throw ControlError(reason: "resumable: expected true or false") }
            return .invalidSession(resumable: resumable)
        case "close":
            guard let code = request["code"]?.int64Value, let code16 = UInt16(exactly: code) else {
                throw ControlError(reason: "code: expected a close code")
            }
            return .close(code: code16)
        default:
            throw ControlError(reason: "fault: expected drop_connections, reconnect, request_heartbeat, invalid_session or close")
        }
    }

    private static func snowflake(_ request: WireJSON, _ key: String) throws(ControlError) -> UInt64 {
        guard let id = request[key]?.snowflake else { throw ControlError(reason: "\(key): expected a snowflake") }
        return id
    }

    private static func frameObject(_ frame: RecordedGatewayFrame, index: Int) -> WireJSON {
        let received = frame.direction == .received
        return [
            "index": .int(Int64(index)), "connection": .int(Int64(frame.connectionID)), "via_resume_url": .bool(frame.viaResumeURL),
            "direction": received ? "received" : "sent", "op": frame.op.map { .int(Int64($0)) } ?? .null,
            "t": frame.t.map { .string($0) } ?? .null, "s": frame.s.map { .int(Int64($0)) } ?? .null,
            "close_code": frame.closeCode.map { .int(Int64($0)) } ?? .null,
            "session_id": frame.sessionID.map { .string($0) } ?? .null,
            // What the client sent and the emulator's control payloads are small and are what
            // a client test asserts on; dispatches would only bloat the answer.
            "json": received || frame.op != GatewayOp.dispatch ? .string(frame.json) : .null,
        ]
    }

    private static func name(of kind: RecordedInteractionResponse.Kind) -> String {
        switch kind {
        case .callback: "callback"
        case .followUp: "follow_up"
        case .editOriginal: "edit_original"
        case .deleteOriginal: "delete_original"
        case .editFollowUp: "edit_follow_up"
        case .deleteFollowUp: "delete_follow_up"
        }
    }

    private static func ok(_ result: WireJSON) -> WireJSON {
        .object([WireJSON.Member(key: "ok", value: true)] + (result.objectMembers ?? []))
    }

    private static func failure(_ reason: String) -> WireJSON {
        ["ok": false, "error": .string(reason)]
    }
}
