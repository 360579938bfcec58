/// Text from plugins reaches logs and the terminal. A newline in it would start a line that looks
/// like the host's own ("error bothost: plugin ratelimit crashed"), and an escape sequence would
/// drive the operator's terminal. Control characters are therefore written visibly: `\n`, `\r`,
/// `\t` as those two characters, the rest as `\u{1B}`.
public enum ControlCharacters {
    /// `text` with every control character (C0, DEL, C1, and the line and paragraph separators)
    /// escaped. `keepingNewlines` leaves `\n` as is, for multi-line text the host itself lays out.
    public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepingNewlines) else { out.append(scalar); continue }
            let visible: String = switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: visible.unicodeScalars)
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, _ keepingNewlines: Bool) -> Bool {
        if keepingNewlines && scalar == "\n" { return false }
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
