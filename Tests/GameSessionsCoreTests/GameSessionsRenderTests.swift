import Foundation
@testable import GameSessionsCore
import Testing

/// The embed writer's fast paths against the general ones: texts copied while they are checked,
/// map links written whole, digits written from the right.
@Suite struct GameSessionsRenderTests {
    static func object(_ embed: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(embed)) as? [String: Any])
    }

    static func field(_ embed: [String: Any], _ name: String) -> String? {
        (embed["fields"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"] as? String
    }

    static let awkward = ["plain", "", "q\"uote", "back\\slash", "tab\tnew\nline\r", "\u{1}\u{1F}\u{7F}", "*bold* _it_ ~s~ `c` |x| >q [l](u) #h <@1>",
                          "héllo wörld", "👍🏽 and 👨‍👩‍👧", "line\u{2028}para\u{2029}end", "日本語", "a\\\"b\\n", String(repeating: "x", count: 63),
                          String(repeating: "é", count: 17) + "\"", "ends with a quote\"", "\\"]

    @Test func feedTextIsEscapedAsTheStringVersionDoesIt() throws {
        for text in Self.awkward {
            var session = GameSession(id: "1", name: text, location: text)
            session.roster = [RosterEntry(name: text, color: "FF0000")]
            let embed = try Self.object(SessionEmbed.live(session, SessionEmbed.Context(sourceName: text, firstSeenMs: 0)))
            // Titles and footers: control characters become spaces, nothing else changes.
            let line = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
            #expect(embed["title"] as? String == (text.isEmpty ? "\u{200B}" : line), "\(text)")  // an empty text is a zero-width space
            #expect((embed["footer"] as? [String: Any])?["text"] as? String == line + " · session 1", "\(text)")
            // Markdown: what EmbedText.plain makes of the text, written straight into the JSON.
            #expect(Self.field(embed, "Server") == (text.isEmpty ? "\u{200B}" : EmbedText.plain(text, limit: 1000)), "\(text)")
            let shown = EmbedText.plain(text, limit: 1000)
            if EmbedText.length(shown) <= 40 {  // a player's name is cut at 40, escapes included
                #expect(Self.field(embed, "Lobby (1)") == "🔴 " + shown, "\(text)")
            }
        }
    }

    @Test func codeSpansTurnBackticksIntoApostrophes() throws {
        let session = GameSession(id: "1", address: "a`b\"c\\d\ne")
        let embed = try Self.object(SessionEmbed.live(session, SessionEmbed.Context(sourceName: "S", firstSeenMs: 0)))
        #expect(Self.field(embed, "Server") == "`a'b\"c\\d e`")
    }

    @Test func aMapLinkWrittenWholeIsWhatThePiecesWouldWrite() {
        let uid = "0123456789abcdef0123456789abcdef01234567"
        for room in 1...120 {
            func render(_ body: (inout EmbedWriter) -> Void) -> [UInt8] {
                EmbedWriter.render { embed in
                    embed.beginField(name: { $0.addLiteral("Map") }, nameLimit: 10, valueLimit: room)
                    body(&embed)
                    embed.endField()
                }
            }
            let whole = render { SessionEmbed.writeMap(uid, into: &$0) }
            let pieces = render { embed in
                embed.add("[")
                embed.add(uid, .line, limit: 9)
                embed.add("](https://resource.openra.net/maps/")
                embed.add(uid, .line, limit: 40)
                embed.add("/)")
            }
            #expect(whole == pieces, "room \(room)")
        }
        let full = String(decoding: EmbedWriter.render { embed in
            embed.beginDescription()
            SessionEmbed.writeMap(uid, into: &embed)
            embed.endText()
        }, as: UTF8.self)
        #expect(full == #"{"description":"[01234567…](https://resource.openra.net/maps/"# + uid + #"/)"}"#)
        // Not a uid (upper case, 39 digits): shown as text.
        #expect(String(decoding: EmbedWriter.render { embed in
            embed.beginDescription()
            SessionEmbed.writeMap("0123456789ABCDEF0123456789abcdef01234567", into: &embed)
            embed.endText()
        }, as: UTF8.self) == #"{"description":"0123456789ABCDEF0123456789abcdef01234567"}"#)
    }

    @Test func numbersAndTimestampsKeepEveryDigit() throws {
        let times: [(Int64, String)] = [(0, "1970-01-01T00:00:00.000Z"), (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
                                        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"), (-1, "1969-12-31T23:59:59.999Z"),
                                        (951_782_400_007, "2000-02-29T00:00:00.007Z")]
        for (ms, text) in times {
            let embed = try Self.object(SessionEmbed.live(GameSession(id: "1"), SessionEmbed.Context(sourceName: "S", firstSeenMs: ms)))
            #expect(embed["timestamp"] as? String == text)
        }
        let counts: [(Int?, Int?, String)] = [(0, 8, "0/8"), (10, 100, "10/100"), (-5, nil, "-5"), (Int.max, Int.min,
                                              "9223372036854775807/-9223372036854775807"), (1_000_000_000, 9, "1000000000/9")]
        for (players, max, text) in counts {
            let session = GameSession(id: "1", players: players, maxPlayers: max)
            let embed = try Self.object(SessionEmbed.live(session, SessionEmbed.Context(sourceName: "S", firstSeenMs: 0)))
            #expect(Self.field(embed, "Players") == text)
        }
    }

    @Test func playerColoursReadFromEveryKindOfString() {
        #expect(SessionLook.dot(forHex: "FF0000") == "🔴" && SessionLook.dot(forHex: "ff0000") == "🔴")
        #expect(SessionLook.dot(forHex: String(decoding: Array("0000FF".utf8), as: UTF8.self)) == "🔵")
        #expect(SessionLook.dot(forHex: "FF00001") == "•" && SessionLook.dot(forHex: "FF00") == "•" && SessionLook.dot(forHex: "GG0000") == "•")
        #expect(SessionLook.dot(forHex: nil) == "•" && SessionLook.dot(forHex: "") == "•")
        // A bridged or otherwise non-contiguous string takes the general path.
        #expect(SessionLook.dot(forHex: NSString(string: "FFFFFF") as String) == "⚪")
    }
}
