import Foundation

/// Renders Discord messages for a terminal: content, then each embed as a coloured card with its
/// title, description, fields and footer, so a person can read what the bot posted.
enum MessageRenderer {
    /// `color`: whether to use ANSI colours (off when output is not a terminal).
    static func render(_ json: [UInt8], author: String = "bot", color: Bool = isatty(1) == 1) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            return String(decoding: json, as: UTF8.self)
        }
        return render(object, author: author, color: color)
    }

    static func render(_ message: [String: Any], author: String, color: Bool) -> String {
        var lines: [String] = []
        let content = message["content"] as? String ?? ""
        lines.append("\(bold(author, color)): \(content)")
        for embed in message["embeds"] as? [[String: Any]] ?? [] {
            lines.append(contentsOf: renderEmbed(embed, color: color).map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }

    static func renderEmbed(_ embed: [String: Any], color: Bool) -> [String] {
        let rgb = (embed["color"] as? Int) ?? 0x4F545C
        let bar = color ? "\u{1B}[38;2;\((rgb >> 16) & 0xFF);\((rgb >> 8) & 0xFF);\(rgb & 0xFF)m┃\u{1B}[0m" : "|"
        var lines: [String] = []
        if let author = (embed["author"] as? [String: Any])?["name"] as? String { lines.append(author) }
        if let title = embed["title"] as? String {
            let url = (embed["url"] as? String).map { " <\($0)>" } ?? ""
            lines.append(bold(title, color) + url)
        }
        if let description = embed["description"] as? String { lines.append(contentsOf: description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)) }
        for field in embed["fields"] as? [[String: Any]] ?? [] {
            let name = field["name"] as? String ?? ""
            let value = (field["value"] as? String ?? "").replacingOccurrences(of: "\n", with: " · ")
            lines.append("\(bold(name, color)): \(value)")
        }
        var footer: [String] = []
        if let text = (embed["footer"] as? [String: Any])?["text"] as? String { footer.append(text) }
        if let timestamp = embed["timestamp"] as? String { footer.append(timestamp) }
        if !footer.isEmpty { lines.append(dim(footer.joined(separator: " • "), color)) }
        if embed["color"] != nil { lines.append(dim(String(format: "colour #%06X", rgb), color)) }
        return lines.map { "\(bar) \($0)" }
    }

    private static func bold(_ text: String, _ color: Bool) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private static func dim(_ text: String, _ color: Bool) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}
