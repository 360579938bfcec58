/// Durations for people, in the two forms the shipped plugins show.
public enum DurationText {
    /// Time used or left, to the second: "1h 05m", "12m 30s", "45s", "0s". Rounds up, so a
    /// stretch with time remaining never reads "0s".
    public static func compact(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000 + (milliseconds % 1000 > 0 ? 1 : 0))
        let hours = seconds / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60
        if hours > 0 { return "\(hours)h \(twoDigits(minutes))m" }
        if minutes > 0 { return "\(minutes)m \(twoDigits(rest))s" }
        return "\(rest)s"
    }

    /// How long something lasted, as an embed reads it: "45 s", "12 min", "1 h 5 min", "2 d 3 h".
    /// Rounds down, and names at most the two largest units.
    public static func coarse(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        if seconds < 60 { return "\(seconds) s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 24 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        let days = hours / 24
        return hours % 24 == 0 ? "\(days) d" : "\(days) d \(hours % 24) h"
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
