/// Text for messages built as Strings (the /sessions answers; embeds are written by `EmbedWriter`):
/// Discord's limits count Unicode code points, names from feeds must not be read as markdown, and
/// one name must not be able to break a line.
public enum EmbedText {
    /// Code points, as Discord counts them.
    @inline(__always)
    public static func length(_ text: String) -> Int {
        var count = 0
        for byte in text.utf8 where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// `text` cut to at most `limit` code points, ending in "…" when cut.
    public static func truncate(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit else { return text }  // bytes ≥ code points: surely fits
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return text }
        guard limit > 1 else { return limit == 1 ? "…" : "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars.prefix(limit - 1))
        // A cut inside a grapheme (an emoji sequence) leaves a dangling joiner; drop it.
        while let last = result.last, last == "\u{200D}" || last.properties.isVariationSelector { result.removeLast() }
        result.append("…")
        return String(result)
    }

    /// Feed text shown inside markdown: formatting characters escaped, line breaks and other
    /// control characters turned into spaces, cut to `limit` code points first.
    public static func plain(_ text: String, limit: Int) -> String {
        let cut = truncate(text, limit)
        var needsWork = false
        for byte in cut.utf8 where byte < 0x20 || EmbedWriter.isMarkdown(byte) {
            needsWork = true
            break
        }
        guard needsWork else { return cut }
        var result = ""
        result.reserveCapacity(cut.utf8.count + 8)
        for scalar in cut.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result.unicodeScalars.append(" ")
            } else {
                if scalar.isASCII, EmbedWriter.isMarkdown(UInt8(scalar.value)) { result.unicodeScalars.append("\\") }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
