import PluginSupport
import Testing

/// The durations the shipped plugins show people: the compact form for time used and left
/// (RateLimit, VoiceSessions) and the coarse form for how long a game lasted (GameSessions).
@Suite struct DurationTextTests {
    @Test func compactNamesTheTwoLargestUnitsWithTwoDigitMinorParts() {
        #expect(DurationText.compact(milliseconds: 0) == "0s")
        #expect(DurationText.compact(milliseconds: 45_000) == "45s")
        #expect(DurationText.compact(milliseconds: 750_000) == "12m 30s")
        #expect(DurationText.compact(milliseconds: 60_000) == "1m 00s")
        #expect(DurationText.compact(milliseconds: 3_900_000) == "1h 05m")
        #expect(DurationText.compact(milliseconds: 7_200_000) == "2h 00m")
        #expect(DurationText.compact(milliseconds: 30 * 3_600_000) == "30h 00m")  // no days
    }

    /// Time left never reads "0s" while some remains, so the compact form rounds up.
    @Test func compactRoundsUpToTheSecond() {
        #expect(DurationText.compact(milliseconds: 1) == "1s")
        #expect(DurationText.compact(milliseconds: 59_001) == "1m 00s")
        #expect(DurationText.compact(milliseconds: 3_599_001) == "1h 00m")
    }

    @Test func coarseNamesTheTwoLargestUnitsAndRoundsDown() {
        #expect(DurationText.coarse(milliseconds: 0) == "0 s")
        #expect(DurationText.coarse(milliseconds: 45_999) == "45 s")
        #expect(DurationText.coarse(milliseconds: 750_000) == "12 min")
        #expect(DurationText.coarse(milliseconds: 3_600_000) == "1 h")
        #expect(DurationText.coarse(milliseconds: 3_900_000) == "1 h 5 min")
        #expect(DurationText.coarse(milliseconds: 86_400_000) == "1 d")
        #expect(DurationText.coarse(milliseconds: 2 * 86_400_000 + 3 * 3_600_000 + 59_000) == "2 d 3 h")
    }

    /// A deadline already past, or a clock that stepped back, reads as nothing left rather than
    /// a negative time; the largest config value reads without overflowing.
    @Test func negativeDurationsReadAsZeroAndTheLargestDoesNotOverflow() {
        #expect(DurationText.compact(milliseconds: -1_500) == "0s")
        #expect(DurationText.coarse(milliseconds: -1_500) == "0 s")
        #expect(DurationText.compact(milliseconds: .max).hasSuffix("m"))
        #expect(DurationText.coarse(milliseconds: .max).hasSuffix(" h"))
    }
}
