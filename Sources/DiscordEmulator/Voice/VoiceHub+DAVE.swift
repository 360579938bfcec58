import DAVE
import MLS

/// DAVE on the voice gateway: the bot's session and the simulated users in its channel are the
/// members of one call, whose group the gateway (`DAVEGatewayCall`) runs as external sender.
/// Messages for the bot go out on its WebSocket, numbered from the session's counter; messages
/// for simulated users are answered in process (`SimulatedDAVEMember`), and their answers are fed
/// back to the gateway until nothing is left to deliver.
extension VoiceHub {
    /// After Session Description: the call starts with the bot and whoever is in its channel.
    func startDAVE(_ state: inout VoiceHubState, sessionKey: Int) {
        guard let session = state.sessions[sessionKey], session.daveProtocolVersion > 0, session.dave == nil else { return }
        var call = DAVEGatewayCall(protocolVersion: UInt16(clamping: session.daveProtocolVersion), channelID: session.channelID,
                                   signer: DAVEGatewayCall.suite.generateSignatureKeyPair(), identity: Array("voice gateway".utf8))
        var deliveries = call.connect(session.userID)
        state.sessions[sessionKey]?.dave = call
        for user in usersInCall(session) {
            state.sessions[sessionKey]?.daveMembers[user] = SimulatedDAVEMember(
                userID: user, channelID: session.channelID, commits: configuration.simulatedUsersCommit)
            deliveries += call.connect(user)
        }
        state.sessions[sessionKey]?.dave = call
        deliver(&state, sessionKey: sessionKey, deliveries)
    }

    /// A simulated user joined or left the bot's channel while the call runs DAVE.
    func daveUserMoved(_ state: inout VoiceHubState, sessionKey: Int, userID: UInt64, joined: Bool) {
        guard let session = state.sessions[sessionKey], var call = session.dave else { return }
        let deliveries: [DAVEGatewayCall.Delivery]
        if joined {
            state.sessions[sessionKey]?.daveMembers[userID] = SimulatedDAVEMember(
                userID: userID, channelID: session.channelID, commits: configuration.simulatedUsersCommit)
            deliveries = call.connect(userID)
        } else {
            state.sessions[sessionKey]?.daveMembers[userID] = nil
            deliveries = call.disconnect(userID)
        }
        state.sessions[sessionKey]?.dave = call
        deliver(&state, sessionKey: sessionKey, deliveries)
    }

    /// The bot's binary frames: key packages (op 26) and commits with Welcomes (op 28).
    func daveBinary(_ state: inout VoiceHubState, _ connectionID: Int, sessionKey: Int, _ bytes: [UInt8]) {
        guard state.sessions[sessionKey]?.dave != nil else { return close(&state, connectionID, code: VoiceClose.badRequest) }
        guard let opcode = bytes.first.flatMap(DAVEOpcode.init(rawValue:)), VoiceOp.daveClientBinaryOps.contains(opcode) else {
            return close(&state, connectionID, code: VoiceClose.unknownOpcode)
        }
        guard let message = try? DAVEClientMessage.decode(binaryFrame: bytes) else { return close(&state, connectionID, code: VoiceClose.decodeError) }
        fromBot(&state, sessionKey: sessionKey, message)
    }

    /// The bot's JSON DAVE ops: ready for transition (23), invalid commit or Welcome (31).
    func daveJSON(_ state: inout VoiceHubState, _ connectionID: Int, sessionKey: Int, op: Int, _ d: WireJSON) {
        // Without a DAVE call there is nothing to be ready for; Discord ignores these then.
        guard state.sessions[sessionKey]?.dave != nil else { return }
        guard let message = try? DAVEClientMessage.decode(jsonOpcode: op, data: d.bytes) else {
            return close(&state, connectionID, code: VoiceClose.decodeError)
        }
        fromBot(&state, sessionKey: sessionKey, message)
    }

    private func fromBot(_ state: inout VoiceHubState, sessionKey: Int, _ message: DAVEClientMessage) {
        guard let bot = state.sessions[sessionKey]?.userID else { return }
        var work = [(from: bot, message: message)]
        drain(&state, sessionKey: sessionKey, &work)
    }

    // MARK: delivery

    private func deliver(_ state: inout VoiceHubState, sessionKey: Int, _ deliveries: [DAVEGatewayCall.Delivery]) {
        var work: [(from: UInt64, message: DAVEClientMessage)] = []
        for delivery in deliveries { work += deliverOne(&state, sessionKey: sessionKey, delivery) }
        drain(&state, sessionKey: sessionKey, &work)
    }

    /// Feeds members' messages to the gateway and its answers to the members until both are quiet.
    private func drain(_ state: inout VoiceHubState, sessionKey: Int, _ work: inout [(from: UInt64, message: DAVEClientMessage)]) {
        while !work.isEmpty {
            let (from, message) = work.removeFirst()
            guard var call = state.sessions[sessionKey]?.dave else { return }
            let deliveries: [DAVEGatewayCall.Delivery]
            switch message {
            case .keyPackage(let keyPackage): deliveries = call.receiveKeyPackage(keyPackage, from: from)
            case .commitWelcome(let commit, let welcome): deliveries = call.receiveCommit(commit, welcome: welcome, from: from)
            case .readyForTransition(let id): deliveries = call.receiveReady(transitionID: id, from: from)
            case .invalidCommitWelcome(let id): deliveries = call.receiveInvalid(transitionID: id, from: from)
            }
            state.sessions[sessionKey]?.dave = call
            for delivery in deliveries { work += deliverOne(&state, sessionKey: sessionKey, delivery) }
        }
    }

    /// Sends one message to the bot, or hands it to a simulated member and returns its answers.
    private func deliverOne(_ state: inout VoiceHubState, sessionKey: Int, _ delivery: DAVEGatewayCall.Delivery)
        -> [(from: UInt64, message: DAVEClientMessage)] {
        guard let session = state.sessions[sessionKey] else { return [] }
        if delivery.to == session.userID {
            let message = delivery.message
            let op = Int(message.opcode.rawValue)
            if message.opcode.isBinary {
                sendSessionBinary(&state, sessionKey: sessionKey, op: op) { sequence in try? message.binaryFrame(sequence: sequence) }
            } else if let data = try? message.jsonData(), let d = try? WireJSONParser.parse(data) {
                sendSessionMessage(&state, sessionKey: sessionKey, op: op, d: d)
            }
            return []
        }
        guard var member = session.daveMembers[delivery.to] else { return [] }
        let expected = Set(usersInCall(session)).union([session.userID])
        let answers = member.receive(delivery.message, expected: expected)
        state.sessions[sessionKey]?.daveMembers[delivery.to] = member
        return answers.map { (delivery.to, $0) }
    }

    /// Simulated users in the bot's voice channel.
    func usersInCall(_ session: VoiceSession) -> [UInt64] {
        world.withLock { $0.members.voiceStates(in: session.guildID) }
            .filter { $0.channelID == session.channelID && $0.userID != session.userID }
            .map(\.userID)
            .sorted()
    }
}
