@testable import PluginHost
import DiscordClient
import BotHostCore
import Testing

/// A speaker's Speaking message can trail their first packets: those frames wait for the name
/// and then carry it, in order; a name that never comes does not hold audio for long.
@Suite struct VoiceSpeakerAttributionTests {
    static func frame(_ ssrc: UInt32, _ sequence: UInt16) -> ReceivedVoiceFrame {
        ReceivedVoiceFrame(ssrc: ssrc, sequence: sequence, timestamp: UInt32(sequence) * 960, opus: [0xF8], pcm: [])
    }

    @Test func framesBeforeTheSpeakerIsNamedAreHeldAndReleasedWithTheNameInOrder() {
        var attribution = VoiceSpeakerAttribution()
        var names: [UInt32: UInt64] = [:]
        let early = attribution.attribute([Self.frame(7, 1), Self.frame(7, 2)], nowNs: 0) { names[$0] }
        #expect(early.isEmpty)
        #expect(attribution.isHolding)

        names[7] = 3000
        let named = attribution.attribute([Self.frame(7, 3)], nowNs: 40_000_000) { names[$0] }
        #expect(named.map(\.frame.sequence) == [1, 2, 3])
        #expect(named.allSatisfy { $0.userID == 3000 })
        #expect(!attribution.isHolding)
    }

    @Test func aNameArrivingWithoutFurtherPacketsIsPickedUpByThePeriodicCheck() {
        var attribution = VoiceSpeakerAttribution()
        var names: [UInt32: UInt64] = [:]
        _ = attribution.attribute([Self.frame(9, 1)], nowNs: 0) { names[$0] }
        #expect(attribution.releaseDue(nowNs: 100_000_000) { names[$0] }.isEmpty)
        names[9] = 42
        let released = attribution.releaseDue(nowNs: 200_000_000) { names[$0] }
        #expect(released == [.init(frame: Self.frame(9, 1), userID: 42)])
    }

    @Test func anUnnamedSpeakerIsDeliveredAsUnknownAfterTheHoldTime() {
        var attribution = VoiceSpeakerAttribution(holdNs: 500_000_000, holdFrames: 100)
        _ = attribution.attribute([Self.frame(5, 1)], nowNs: 0) { _ in nil }
        #expect(attribution.releaseDue(nowNs: 499_000_000) { _ in nil }.isEmpty)
        let released = attribution.releaseDue(nowNs: 500_000_000) { _ in nil }
        #expect(released == [.init(frame: Self.frame(5, 1), userID: 0)])
        #expect(!attribution.isHolding)
    }

    @Test func holdingIsBoundedByFrameCount() {
        var attribution = VoiceSpeakerAttribution(holdNs: .max, holdFrames: 3)
        #expect(attribution.attribute([Self.frame(5, 1), Self.frame(5, 2)], nowNs: 0) { _ in nil }.isEmpty)
        let released = attribution.attribute([Self.frame(5, 3)], nowNs: 0) { _ in nil }
        #expect(released.map(\.frame.sequence) == [1, 2, 3])
        #expect(released.allSatisfy { $0.userID == 0 })
    }

    @Test func namedSpeakersPassStraightThroughWhileAnotherIsHeld() {
        var attribution = VoiceSpeakerAttribution()
        let names: [UInt32: UInt64] = [1: 100]
        let out = attribution.attribute([Self.frame(2, 1), Self.frame(1, 1), Self.frame(1, 2)], nowNs: 0) { names[$0] }
        #expect(out.map(\.frame.ssrc) == [1, 1])
        #expect(attribution.isHolding)
    }
}
