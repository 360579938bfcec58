@testable import BotHost
import DiscordEmulator
import Foundation
import NIOCore
import Synchronization
import Testing

/// DAVE end to end: the host's voice connection against the emulated voice gateway, whose
/// simulated users are MLS members with their own frame keys. Each test waits for the group to
/// be ready (every member sends in the gateway's epoch), then counts frames: the host opens every
/// user's frames, every user opens the host's. Three bugs other libraries shipped with each get a
/// test: audio with three or more members, a rejoin with a stale epoch, and media encrypted
/// before the group was ready.
@Suite(.serialized) struct VoiceDAVEEndToEndTests {
    typealias Rig = VoiceConnectionIntegrationTests.Rig
    static let guild = VoiceConnectionIntegrationTests.guild
    static let lounge = VoiceConnectionIntegrationTests.lounge
    static let users: [UInt64] = [3000, 3001, 3002, 3003]

    static func start(_ configure: @escaping (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> Rig {
        try await VoiceConnectionIntegrationTests.start(emulator: { configuration in
            configuration.guilds[0].members = users.map { EmulatedUser(id: $0, username: "user-\($0)") }
            configure(&configuration)
        })
    }

    /// The bot and exactly `users` form the group, everyone sends in the gateway's epoch, and
    /// the host's privacy code is the one each simulated user would show.
    static func groupReady(_ rig: Rig, _ session: VoiceSession, users: [UInt64]) -> Bool {
        guard let voice = rig.current, let call = voice.dave, call.epoch > 0,
              Set(call.members) == Set(users + [voice.userID]), call.pendingUsers.isEmpty,
              session.endToEndStatus.epoch == call.epoch else { return false }
        return users.allSatisfy { user in
            guard let member = call.simulatedMembers[user] else { return false }
            return member.sendingEpoch == call.epoch && member.privacyCode == session.endToEndStatus.privacyCode
        }
    }

    /// The host's own receive pipeline over the session's datagrams, with the session's DAVE
    /// transform: counts the frames it opened per SSRC (silence aside), and those it could not.
    final class HostEars: Sendable {
        private struct State {
            var pipeline: VoiceReceivePipeline
            var opened: [UInt32: Int] = [:]
            var failed = 0
        }

        private let state: Mutex<State>

        init(_ session: VoiceSession) throws {
            let cipher = try VoiceTransportCipher(mode: session.mode, secretKey: session.secretKey)
            state = Mutex(State(pipeline: VoiceReceivePipeline(cipher: cipher, frameTransform: session.makeFrameTransform(),
                                                                configuration: .init(reorderDepth: 0, decodesPCM: false))))
            let ssrc = session.ssrc
            session.onDatagram { [weak self] buffer, transport in
                if transport.ssrc == ssrc { self?.hear(Array(buffer.readableBytesView)) }
            }
        }

        private func hear(_ datagram: [UInt8]) {
            state.withLock { state in
                do {
                    for frame in try state.pipeline.receive(datagram) {
                        if let opus = frame.opus, opus != [0xF8, 0xFF, 0xFE] { state.opened[frame.ssrc, default: 0] += 1 }
                    }
                } catch {
                    state.failed += 1
                }
            }
        }

        func opened(ssrc: UInt32) -> Int { state.withLock { $0.opened[ssrc] ?? 0 } }
        var failed: Int { state.withLock { $0.failed } }
    }

    /// Waits until each of `users` has opened `count` of the bot's frames, and returns the call as
    /// the local Discord saw it then.
    static func callOnce(_ users: [UInt64], openedFromBot count: Int, _ rig: Rig) async throws -> EmulatedDAVECall {
        #expect(await eventually {
            users.allSatisfy { rig.current?.dave?.simulatedMembers[$0]?.framesOpenedFromBot == count }
        }, "users \(users)")
        return try #require(rig.current?.dave)
    }

    /// Sends `count` frames of a tone through the host's real sender (pacing, frame transform,
    /// RTP, transport AEAD) and returns once the burst drained.
    static func hostSends(_ count: Int, session: VoiceSession) throws -> VoiceSender {
        let sender = VoiceSender(guildID: guild, logger: .init(label: "test"), onDrained: { _ in })
        sender.bind(session)
        for index in 0..<count {
            // 20 ms of a 440 Hz tone, 48 kHz stereo.
            let frame = (0..<960).flatMap { sample -> [Int16] in
                let value = Int16(8000 * sin(2 * Double.pi * 440 * Double(index * 960 + sample) / 48_000))
                return [value, value]
            }
            try sender.enqueue(.opus(try Self.opus(frame)), from: "test")
        }
        return sender
    }

    /// One Opus packet of 20 ms (Opus frames queue 10 s deep; PCM only half a second).
    static func opus(_ pcm: [Int16]) throws -> [UInt8] {
        try OpusFrameEncoder(settings: OpusEncoderSettings()).encode(pcm)
    }

    static func speech(_ rig: Rig, user: UInt64, frames: Int, pacing: VoiceSpeechOptions.Pacing = .asFastAsPossible) async throws -> VoiceSpeechReport {
        var options = VoiceSpeechOptions()
        options.pacing = pacing
        return try await rig.emulator.userSpeaks(userID: user, guildID: guild, audio: .tone(frequency: 523, durationMs: 20 * frames),
                                                 options: options)
    }

    // MARK: the group

    @Test func theHostNegotiatesDAVEAndAgreesOnTheEpochAndPrivacyCode() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let voice = try #require(rig.current)
        #expect(voice.maxDAVEProtocolVersion == 1)
        #expect(voice.dave?.protocolVersion == 1)
        // Alone, the bot has no group yet: nothing is end-to-end encrypted, nothing may be sent.
        #expect(!session.endToEndStatus.isEndToEndEncrypted)
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        let status = session.endToEndStatus
        #expect(status.isEndToEndEncrypted && status.protocolVersion == 1)
        let code = try #require(status.privacyCode)
        #expect(code.count == 30 && code.allSatisfy(\.isNumber))
        #expect(status.description.contains("end-to-end encrypted"))
        // Shown as Discord's clients show it: six groups of five digits.
        #expect(status.description.hasSuffix(stride(from: 0, to: 30, by: 5).map { offset in
            String(code.dropFirst(offset).prefix(5))
        }.joined(separator: " ")))
        #expect(rig.current?.dave?.refusals == [])
        await rig.stop()
    }

    /// A voice server that chooses transport encryption only (protocol version 0): the host's
    /// frames pass through the DAVE stage unchanged and go out at once, even with nobody to hear.
    @Test func aTransportOnlyCallPassesFramesThrough() async throws {
        let rig = try await Self.start { $0.voice.daveProtocolVersion = 0 }
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(rig.current?.maxDAVEProtocolVersion == 1)
        #expect(rig.current?.dave == nil)
        #expect(session.endToEndStatus == .transportOnly)
        #expect(session.isReadyToSendMedia)
        let sender = try Self.hostSends(10, session: session)
        #expect(await eventually { (rig.current?.receivedPacketCount ?? 0) >= 15 })  // 10 frames and 5 of silence
        let voice = try #require(rig.current)
        let audio = rig.emulator.voicePackets(voiceSessionID: voice.id).filter { !$0.isSilenceFrame }
        #expect(audio.count == 10 && audio.allSatisfy { $0.decodedSamplesPerChannel == 960 })
        sender.bind(nil)
        await rig.stop()
    }

    /// (a) Audio lost with more than two members: with three users in the call, the host opens
    /// every frame each user sends, and every user opens every frame the host sends.
    @Test(arguments: [false, true])
    func withThreeUsersEveryoneHearsEveryone(simulatedUsersCommit: Bool) async throws {
        let rig = try await Self.start { $0.voice.simulatedUsersCommit = simulatedUsersCommit }
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let ears = try HostEars(session)
        let users = Array(Self.users.prefix(3))
        for user in users { #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: user)) }
        #expect(await eventually { Self.groupReady(rig, session, users: users) })
        for user in users {
            let report = try await Self.speech(rig, user: user, frames: 10)
            #expect(await eventually { ears.opened(ssrc: report.ssrc) == report.audioFrames }, "user \(user)")
        }
        let sender = try Self.hostSends(10, session: session)
        let call = try await Self.callOnce(users, openedFromBot: 10, rig)
        #expect(users.allSatisfy { call.simulatedMembers[$0]?.framesRefusedFromBot == 0 })
        #expect(call.unprotectedFramesFromBot == 0 && call.unopenableFramesFromBot == 0)
        #expect(ears.failed == 0)
        sender.bind(nil)
        await rig.stop()
    }

    /// (b) A stale epoch after a rejoin: a user leaves and comes back; the host adds it to the
    /// current group and both sides open each other's frames in the new epoch.
    @Test func aUserWhoLeavesAndRejoinsHearsAndIsHeardInTheNewEpoch() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let ears = try HostEars(session)
        for user in [3000, 3001] as [UInt64] { #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: user)) }
        #expect(await eventually { Self.groupReady(rig, session, users: [3000, 3001]) })
        let epochBefore = try #require(rig.current?.dave?.epoch)
        rig.emulator.userLeavesVoice(guildID: Self.guild, userID: 3001)
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3001))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000, 3001]) })
        #expect(try #require(rig.current?.dave?.epoch) >= epochBefore + 2)

        let report = try await Self.speech(rig, user: 3001, frames: 10)
        #expect(await eventually { ears.opened(ssrc: report.ssrc) == report.audioFrames })
        let sender = try Self.hostSends(10, session: session)
        let call = try await Self.callOnce([3001], openedFromBot: 10, rig)
        #expect(call.simulatedMembers[3001]?.framesRefusedFromBot == 0)
        #expect(ears.failed == 0)
        sender.bind(nil)
        await rig.stop()
    }

    /// (b, the bot's side) The bot's own voice session starts over (close 4006, identify afresh):
    /// it must not carry its old group into the new one. It sends a fresh key package, a new
    /// group forms, and the bot and the user hear each other in it.
    @Test func theBotIdentifyingAfreshJoinsANewGroupNotItsOldEpoch() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        let first = session.transport
        let codeBefore = session.endToEndStatus.privacyCode
        rig.emulator.injectVoice(.close(code: 4006))
        #expect(await eventually { rig.current?.identifyCount == 2 && session.state.isConnected && session.transport !== first })
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        #expect(session.endToEndStatus.privacyCode != codeBefore)

        let ears = try HostEars(session)
        let report = try await Self.speech(rig, user: 3000, frames: 10)
        #expect(await eventually { ears.opened(ssrc: report.ssrc) == report.audioFrames })
        let sender = try Self.hostSends(10, session: session)
        let call = try await Self.callOnce([3000], openedFromBot: 10, rig)
        #expect(call.unopenableFramesFromBot == 0 && call.unprotectedFramesFromBot == 0)
        #expect(ears.failed == 0)
        sender.bind(nil)
        await rig.stop()
    }

    /// A moderator moves the bot to another channel: a new voice session, whose group is the new
    /// channel's (the MLS group id is the channel id), with the user there.
    @Test func aMovedBotFormsTheNewChannelsGroup() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        #expect(rig.emulator.userJoinsVoice(channelID: VoiceConnectionIntegrationTests.stage, userID: 3001))
        #expect(rig.emulator.moderatorMovesBot(guildID: Self.guild, toChannelID: VoiceConnectionIntegrationTests.stage))
        #expect(await eventually { rig.current?.channelID == VoiceConnectionIntegrationTests.stage && session.channelID == VoiceConnectionIntegrationTests.stage })
        #expect(await eventually { Self.groupReady(rig, session, users: [3001]) })
        #expect(rig.current?.dave?.refusals == [])
        let ears = try HostEars(session)
        let report = try await Self.speech(rig, user: 3001, frames: 10)
        #expect(await eventually { ears.opened(ssrc: report.ssrc) == report.audioFrames })
        await rig.stop()
    }

    /// The last user leaves: the bot, alone, is told to reset (op 24 with epoch 1, then op 21 with
    /// transition 0); when the next user joins, a new group forms and both hear each other in it.
    @Test func aloneTheBotStartsANewGroupWithTheNextUser() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let ears = try HostEars(session)
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        rig.emulator.userLeavesVoice(guildID: Self.guild, userID: 3000)
        #expect(await eventually { rig.current?.dave?.epoch == 0 && rig.current?.dave?.pendingUsers == [rig.current?.userID ?? 0] })
        let sent = rig.emulator.voiceGatewayEvents.filter { $0.direction == .sent }.compactMap(\.op)
        #expect(sent.suffix(2) == [24, 21])

        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3001))
        #expect(await eventually { Self.groupReady(rig, session, users: [3001]) })
        let report = try await Self.speech(rig, user: 3001, frames: 10)
        #expect(await eventually { ears.opened(ssrc: report.ssrc) == report.audioFrames })
        let sender = try Self.hostSends(10, session: session)
        #expect(await eventually { rig.current?.dave?.simulatedMembers[3001]?.framesOpenedFromBot == 10 })
        #expect(ears.failed == 0)
        sender.bind(nil)
        await rig.stop()
    }

    /// (c) Encrypting before the group is ready: audio queued while the bot is alone waits; none
    /// of it reaches the voice server unencrypted or under a key nobody has, and once a user
    /// joins and the group is ready, all of it arrives and opens.
    @Test func nothingIsSentBeforeTheGroupIsReady() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let sender = try Self.hostSends(20, session: session)
        #expect(!session.isReadyToSendMedia)
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000]) })
        // The held audio goes out once the key is there, and every frame opens.
        let call = try await Self.callOnce([3000], openedFromBot: 20, rig)
        #expect(call.unprotectedFramesFromBot == 0)
        #expect(call.unopenableFramesFromBot == 0)
        #expect(call.unheardFramesFromBot == 0)
        #expect(call.simulatedMembers[3000]?.framesRefusedFromBot == 0)
        sender.bind(nil)
        await rig.stop()
    }

    /// A member joining and another leaving while audio flows both ways interrupts nobody. The
    /// window: a sender switches keys only at execute_transition, after every member processed
    /// the commit and installed the new epoch's receive keys, and receivers keep the previous
    /// epoch's keys for 10 s; so no frame may be lost to a transition. The assertion is exact:
    /// every frame sent across both transitions is opened.
    @Test func membersJoiningAndLeavingMidCallLoseNoFrames() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let ears = try HostEars(session)
        for user in [3000, 3001] as [UInt64] { #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: user)) }
        #expect(await eventually { Self.groupReady(rig, session, users: [3000, 3001]) })
        let epochBefore = try #require(rig.current?.dave?.epoch)

        // 2 s of speech from 3000 and 2 s from the host, paced in real time, while 3002 joins and
        // 3001 leaves.
        async let speech = Self.speech(rig, user: 3000, frames: 100, pacing: .realTime)
        let sender = try Self.hostSends(100, session: session)
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3002))
        #expect(await eventually { Self.groupReady(rig, session, users: [3000, 3001, 3002]) })
        rig.emulator.userLeavesVoice(guildID: Self.guild, userID: 3001)
        #expect(await eventually { Self.groupReady(rig, session, users: [3000, 3002]) })
        let report = try await speech

        #expect(try #require(rig.current?.dave?.epoch) >= epochBefore + 2)
        #expect(await eventually { ears.opened(ssrc: report.ssrc) == report.audioFrames })
        let call = try await Self.callOnce([3000], openedFromBot: 100, rig)
        #expect(call.simulatedMembers[3000]?.framesRefusedFromBot == 0)
        #expect(call.unprotectedFramesFromBot == 0 && call.unopenableFramesFromBot == 0)
        #expect(ears.failed == 0)
        sender.bind(nil)
        await rig.stop()
    }
}
