@testable import DiscordClient
import BotHostCore
import Testing

/// Route templates, major parameters, and the paths the host refuses to put its token on.
@Suite struct RESTRouteTests {
    private func route(_ method: String, _ path: String) throws -> DiscordRoute {
        try DiscordRoute(method, path)
    }

    @Test func snowflakesBecomeNamedParametersAndTheChannelIsTheMajorParameter() throws {
        let create = try route("post", "/channels/123456789012345678/messages")
        #expect(create.method == "POST")
        #expect(create.template == "/channels/{channel_id}/messages")
        #expect(create.majorParameter == "123456789012345678")
        #expect(create.key == "POST /channels/{channel_id}/messages")
        #expect(create.isMessageCreate)

        let edit = try route("PATCH", "/channels/1/messages/2")
        #expect(edit.template == "/channels/{channel_id}/messages/{message_id}")
        #expect(edit.majorParameter == "1")

        let member = try route("GET", "/guilds/77/members/88")
        #expect(member.template == "/guilds/{guild_id}/members/{user_id}")
        #expect(member.majorParameter == "77")
    }

    @Test func queriesAreSentButLeftOutOfTheTemplate() throws {
        let list = try route("GET", "/guilds/5/members?limit=1000&after=0")
        #expect(list.path == "/guilds/5/members?limit=1000&after=0")
        #expect(list.template == "/guilds/{guild_id}/members")
    }

    @Test func webhookAndInteractionTokensAreHiddenAndPartOfTheMajorParameter() throws {
        let execute = try route("POST", "/webhooks/42/s3cr3t-T0ken_x")
        #expect(execute.template == "/webhooks/{webhook_id}/{webhook_token}")
        #expect(execute.majorParameter == "42/s3cr3t-T0ken_x")
        #expect(!execute.template.contains("s3cr3t"))

        let original = try route("PATCH", "/webhooks/1000/aW50ZXJhY3Rpb24/messages/@original")
        #expect(original.template == "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
        #expect(original.isEssential)

        let callback = try route("POST", "/interactions/99/tok-en/callback")
        #expect(callback.template == "/interactions/{interaction_id}/{interaction_token}/callback")
        #expect(callback.majorParameter == "99/tok-en")
        #expect(callback.isInteractionCallback && callback.isEssential)

        let plain = try route("GET", "/webhooks/42")
        #expect(plain.template == "/webhooks/{webhook_id}" && plain.majorParameter == "42")
    }

    @Test func reactionEmojiAndUsersAreParameters() throws {
        let mine = try route("PUT", "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me")
        #expect(mine.template == "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
        let theirs = try route("DELETE", "/channels/1/messages/2/reactions/party:123/456")
        #expect(theirs.template == "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}")
        #expect(theirs.majorParameter == "1")
    }

    @Test func routesWithoutMajorParameter() throws {
        #expect(try route("GET", "/users/@me").majorParameter == nil)
        let gateway = try route("GET", "/gateway/bot")
        #expect(gateway.majorParameter == nil && gateway.isEssential)
        let commands = try route("PUT", "/applications/1000/guilds/2000/commands")
        #expect(commands.template == "/applications/{application_id}/guilds/{guild_id}/commands")
        #expect(commands.majorParameter == "2000")
    }

    @Test(arguments: [
        "", "channels/1/messages", "https://evil.example/api/v10/channels/1", "//evil.example/channels/1",
        "/channels/../users/@me", "/channels/1/messages/..", "/channels/./1", "/channels/1//messages",
        "/channels/1/", "/channels/1%2F..%2Fusers", "/channels/%2e%2e/x", "/channels/%2E/x", "/channels/1%5Cx",
        "/channels/1\\messages", "/channels/1#fragment", "/channels/1?x=1#f", "/channels/1?next=//evil.example",
        "/channels/1 /messages", "/channels/1\r\nHost: evil.example", "/channels/1\u{0}", "/channels/1/mëssages",
        "/channels/1%", "/channels/1%zz", "/channels/1%00", "/api/v10/channels/1", "/channels/1?a=%0d%0a",
        "/@evil.example/x", "/channels/1?@evil", "/channels/1?a=b?c",
    ] as [String])
    func hostilePathsAreRefused(_ path: String) {
        #expect(throws: DiscordRESTError.self) { try DiscordRoute("GET", path) }
    }

    @Test func oddMethodsAreRefused() {
        for method in ["CONNECT", "TRACE", "OPTIONS", "HEAD", "", "GET /x"] {
            #expect(throws: DiscordRESTError.self) { try DiscordRoute(method, "/users/@me") }
        }
    }

    @Test func refusalsSayWhy() {
        do {
            _ = try DiscordRoute("GET", "https://evil.example/x")
            Issue.record("accepted an absolute URL")
        } catch {
            #expect(error.description.contains("must start with \"/\""))
        }
        do {
            _ = try DiscordRoute("GET", "/api/v10/users/@me")
            Issue.record("accepted a repeated prefix")
        } catch {
            #expect(error.description.contains("drop \"/api/v10\""))
        }
        let long = "/channels/" + String(repeating: "1", count: 3000)
        #expect(throws: DiscordRESTError.self) { try DiscordRoute("GET", long) }
    }

    @Test func legitimateOddPathsAreAccepted() throws {
        _ = try route("GET", "/guilds/1/members/search?query=a%2Fb&limit=10")
        _ = try route("GET", "/channels/1/messages?around=2,3")
        _ = try route("GET", "/invites/abc-DEF_1?with_counts=true")
        #expect(try route("GET", "/invites/abc-DEF").template == "/invites/{invite_code}")
    }
}
