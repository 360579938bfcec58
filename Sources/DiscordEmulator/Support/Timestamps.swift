import Foundation

/// ISO 8601 timestamps as Discord writes them: `2026-01-02T03:04:05.678000+00:00`.
enum DiscordTimestamp {
    static func format(ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        let micros = Int((ms % 1000 + 1000) % 1000) * 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micro = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(String(repeating: "0", count: 6 - micro.count))\(micro)+00:00"
    }
}
