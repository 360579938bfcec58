/// Durations for people: "1h 05m", "12m 30s", "45s", "0s".
public enum DurationText {
    public static func of(milliseconds: Int64) -> String {
        let seconds = max(0, (milliseconds + 999) / 1000)  // never show "0s" while time remains
        let hours = seconds / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60
        if hours > 0 { return "\(hours)h \(twoDigits(minutes))m" }
        if minutes > 0 { return "\(minutes)m \(twoDigits(rest))s" }
        return "\(rest)s"
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
