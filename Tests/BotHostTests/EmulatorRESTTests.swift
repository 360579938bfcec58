@testable import DiscordEmulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// An HTTP answer from the emulator as a client sees it.
struct EmulatorHTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var array: [[String: Any]]? { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// `errors` of a 50035 answer, walked by keys: `errorCode(["embeds", "0", "title"])`.
    func errorCode(_ path: [String]) -> String? {
        var node: Any? = object?["errors"]
        for key in path { node = (node as? [String: Any])?[key] }
        let errors = (node as? [String: Any])?["_errors"] as? [[String: Any]]
        return errors?.first?["code"] as? String
    }
}

/// REST calls over a real HTTP connection (URLSession), authenticated as the sandbox bot.
func emulatorCall(
    _ emulator: DiscordEmulator, _ method: String, _ path: String, _ body: String? = nil, token: String? = "sandbox-token"
) async throws -> EmulatorHTTPResponse {
    guard let url = URL(string: emulator.apiBaseURL + path) else { throw URLError(.badURL) }
    var request = URLRequest(url: url)
    request.httpMethod = method
    if let token { request.setValue("Bot \(token)", forHTTPHeaderField: "Authorization") }
    request.setValue("DiscordBot (https://example.invalid, 1.0)", forHTTPHeaderField: "User-Agent")
    if let body {
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
    var headers: [String: String] = [:]
    for (key, value) in http.allHeaderFields {
        if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
    }
    return EmulatorHTTPResponse(status: http.statusCode, headers: headers, body: data)
}

@Suite struct EmulatorRESTTests {
    @Test func requestsWithoutTheBotTokenGet401AndCountAsInvalid() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }

        let missing = try await emulatorCall(emulator, "GET", "/users/@me", token: nil)
        #expect(missing.status == 401)
        #expect(missing.object?["code"] as? Int == 0)
        #expect(missing.object?["message"] as? String == "401: Unauthorized")
        let wrong = try await emulatorCall(emulator, "GET", "/users/@me", token: "not-the-token")
        #expect(wrong.status == 401)
        let me = try await emulatorCall(emulator, "GET", "/users/@me")
        #expect(me.status == 200)
        #expect(me.object?["id"] as? String == "1001")
        #expect(me.object?["bot"] as? Bool == true)
        #expect(emulator.invalidRequestCount == 2)
        // The window is ten minutes.
        emulator.advanceClock(ms: 10 * 60 * 1000)
        #expect(emulator.invalidRequestCount == 0)
        // Recorded with method, path, headers and status.
        let recorded = emulator.requests
        #expect(recorded.map(\.status) == [401, 401, 200])
        #expect(recorded.last?.header("authorization") == "Bot sandbox-token")
        #expect(recorded.first?.path == "/api/v10/users/@me")
    }

    @Test func gatewayBotDescribesShardsAndSessionStartLimit() async throws {
        let emulator = try await startedEmulator { $0.shardCount = 3; $0.maxConcurrency = 2; $0.sessionStartRemaining = 7 }
        defer { Task { await emulator.shutdown() } }
        let answer = try await emulatorCall(emulator, "GET", "/gateway/bot")
        #expect(answer.status == 200)
        #expect(answer.object?["url"] as? String == emulator.gatewayURL)
        #expect(answer.object?["shards"] as? Int == 3)
        let limit = answer.object?["session_start_limit"] as? [String: Any]
        #expect(limit?["total"] as? Int == 1000)
        #expect(limit?["remaining"] as? Int == 7)
        #expect(limit?["max_concurrency"] as? Int == 2)
        #expect((limit?["reset_after"] as? Int ?? 0) > 0)
        let gateway = try await emulatorCall(emulator, "GET", "/gateway", token: nil)
        #expect(gateway.object?["url"] as? String == emulator.gatewayURL)
        let unknown = try await emulatorCall(emulator, "GET", "/nothing/here")
        #expect(unknown.status == 404)
    }

    @Test func messagesAreCreatedStoredAndValidatedWithDiscordErrorBodies() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        // Each create waits out the channel's 5-per-5-seconds bucket, so only validation answers.
        func post(_ body: String, channel: Int = 2001) async throws -> EmulatorHTTPResponse {
            emulator.advanceClock(ms: 5_000)
            return try await emulatorCall(emulator, "POST", "/channels/\(channel)/messages", body)
        }

        let created = try await post(#"{"content":"hello <@3000>"}"#)
        #expect(created.status == 200)
        #expect(created.object?["content"] as? String == "hello <@3000>")
        #expect(created.object?["channel_id"] as? String == "2001")
        #expect((created.object?["author"] as? [String: Any])?["id"] as? String == "1001")
        #expect(((created.object?["mentions"] as? [[String: Any]])?.first)?["id"] as? String == "3000")
        let stored = emulator.messages(in: 2001)
        #expect(stored.count == 1)
        #expect(stored.first.map { String($0.id) } == created.object?["id"] as? String)

        let tooLong = try await post(#"{"content":"\#(String(repeating: "a", count: 2001))"}"#)
        #expect(tooLong.status == 400)
        #expect(tooLong.object?["code"] as? Int == 50035)
        #expect(tooLong.errorCode(["content"]) == "BASE_TYPE_MAX_LENGTH")

        let empty = try await post("{}")
        #expect(empty.status == 400)
        #expect(empty.object?["code"] as? Int == 50006)

        let longTitle = try await post(#"{"embeds":[{"title":"\#(String(repeating: "t", count: 257))"}]}"#)
        #expect(longTitle.errorCode(["embeds", "0", "title"]) == "BASE_TYPE_MAX_LENGTH")

        let elevenEmbeds = "[" + Array(repeating: #"{"title":"x"}"#, count: 11).joined(separator: ",") + "]"
        let tooMany = try await post(#"{"embeds":\#(elevenEmbeds)}"#)
        #expect(tooMany.errorCode(["embeds"]) == "BASE_TYPE_MAX_LENGTH")

        let badColor = try await post(#"{"embeds":[{"title":"x","color":16777216}]}"#)
        #expect(badColor.errorCode(["embeds", "0", "color"]) == "NUMBER_TYPE_MAX")

        let fields = (0..<26).map { _ in #"{"name":"n","value":"v"}"# }.joined(separator: ",")
        let tooManyFields = try await post(#"{"embeds":[{"fields":[\#(fields)]}]}"#)
        #expect(tooManyFields.errorCode(["embeds", "0", "fields"]) == "BASE_TYPE_MAX_LENGTH")

        // Each description is within 4096, but two of them exceed the 6000 total.
        let description = String(repeating: "d", count: 3500)
        let tooBig = try await post(#"{"embeds":[{"description":"\#(description)"},{"description":"\#(description)"}]}"#)
        #expect(tooBig.errorCode(["embeds"]) == "MAX_EMBED_SIZE_EXCEEDED")

        let badJSON = try await post(#"{"content": "#)
        #expect(badJSON.object?["code"] as? Int == 50109)

        // None of the refused ones were stored.
        #expect(emulator.messages(in: 2001).count == 1)

        let unknownChannel = try await post(#"{"content":"x"}"#, channel: 999)
        #expect(unknownChannel.status == 404)
        #expect(unknownChannel.object?["code"] as? Int == 10003)
        let unknownMessage = try await emulatorCall(emulator, "GET", "/channels/2001/messages/12345")
        #expect(unknownMessage.status == 404)
        #expect(unknownMessage.object?["code"] as? Int == 10008)
    }

    @Test func anEnforcedNonceReturnsTheFirstMessageInsteadOfADuplicate() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let body = #"{"content":"once","nonce":"n-1","enforce_nonce":true}"#
        let first = try await emulatorCall(emulator, "POST", "/channels/2001/messages", body)
        let second = try await emulatorCall(emulator, "POST", "/channels/2001/messages", body)
        #expect(first.status == 200 && second.status == 200)
        #expect(first.object?["id"] as? String == second.object?["id"] as? String)
        #expect(emulator.messages(in: 2001).count == 1)
        // Without enforce_nonce the nonce is only echoed.
        let loose = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"twice","nonce":"n-1"}"#)
        #expect(loose.object?["id"] as? String != first.object?["id"] as? String)
        #expect(emulator.messages(in: 2001).count == 2)
    }

    @Test func messageCreatesCarryRateLimitHeadersAndTheSixthIn5SecondsGets429() async throws {
        let emulator = try await startedEmulator { config in
            config.guilds = [EmulatedGuild(
                id: 2000, name: "Sandbox",
                channels: [EmulatedChannel(id: 2001, name: "general", kind: .text), EmulatedChannel(id: 2003, name: "other", kind: .text)],
                members: [EmulatedUser(id: 3000, username: "sandbox-user")])]
        }
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()

        var buckets: Set<String> = []
        for expectedRemaining in [4, 3, 2, 1, 0] {
            let answer = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"hi"}"#)
            #expect(answer.status == 200)
            #expect(answer.header("X-RateLimit-Limit") == "5")
            #expect(answer.header("X-RateLimit-Remaining") == String(expectedRemaining))
            #expect(Double(answer.header("X-RateLimit-Reset-After") ?? "") == 5.0)
            #expect(Double(answer.header("X-RateLimit-Reset") ?? "").map { $0 > 1_700_000_000 } == true)
            buckets.insert(answer.header("X-RateLimit-Bucket") ?? "")
        }
        #expect(buckets.count == 1 && !buckets.contains(""))

        let limited = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"hi"}"#)
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "5")
        #expect(limited.header("X-RateLimit-Scope") == "user")
        #expect(limited.header("X-RateLimit-Global") == nil)
        #expect(limited.object?["global"] as? Bool == false)
        #expect(limited.object?["retry_after"] as? Double == 5.0)
        #expect(emulator.messages(in: 2001).count == 5)
        #expect(emulator.invalidRequestCount == 1)

        // The bucket is per channel (its major parameter) …
        let otherChannel = try await emulatorCall(emulator, "POST", "/channels/2003/messages", #"{"content":"hi"}"#)
        #expect(otherChannel.status == 200)
        #expect(otherChannel.header("X-RateLimit-Remaining") == "4")
        // … and resets when the window has passed.
        emulator.advanceClock(ms: 5_000)
        let again = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"hi"}"#)
        #expect(again.status == 200)
        #expect(again.header("X-RateLimit-Remaining") == "4")
    }

    @Test func theGlobalLimitAllows50RequestsPerSecondThenAnswersAGlobal429() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        for _ in 0..<50 {
            #expect(try await emulatorCall(emulator, "GET", "/users/@me").status == 200)
        }
        let limited = try await emulatorCall(emulator, "GET", "/users/@me")
        #expect(limited.status == 429)
        #expect(limited.header("X-RateLimit-Global") == "true")
        #expect(limited.header("X-RateLimit-Scope") == "global")
        #expect(limited.object?["global"] as? Bool == true)
        emulator.advanceClock(ms: 1_000)
        #expect(try await emulatorCall(emulator, "GET", "/users/@me").status == 200)
    }

    @Test func editingAMessageOlderThanAnHourIsLimitedWith30046() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let created = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"status"}"#)
        let id = try #require(created.object?["id"] as? String)

        // A young message can be edited freely.
        for n in 0..<4 {
            let edit = try await emulatorCall(emulator, "PATCH", "/channels/2001/messages/\(id)", #"{"content":"young \#(n)"}"#)
            #expect(edit.status == 200)
            #expect(edit.object?["edited_timestamp"] is String)
        }
        emulator.advanceClock(ms: 61 * 60 * 1000)
        for n in 0..<3 {
            let edit = try await emulatorCall(emulator, "PATCH", "/channels/2001/messages/\(id)", #"{"content":"old \#(n)"}"#)
            #expect(edit.status == 200)
        }
        let refused = try await emulatorCall(emulator, "PATCH", "/channels/2001/messages/\(id)", #"{"content":"one too many"}"#)
        #expect(refused.status == 400)
        #expect(refused.object?["code"] as? Int == 30046)
        #expect(refused.object?["message"] as? String == "Maximum number of edits to messages older than 1 hour reached. Try again later")
        #expect(emulator.messages(in: 2001).first?.content == "old 2")
        #expect(emulator.messages(in: 2001).first?.editCount == 7)
        // An hour later the budget is back.
        emulator.advanceClock(ms: 60 * 60 * 1000)
        let later = try await emulatorCall(emulator, "PATCH", "/channels/2001/messages/\(id)", #"{"content":"later"}"#)
        #expect(later.status == 200)
    }

    @Test func theBotCannotEditOthersMessagesButCanDeleteThem() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let userMessage = emulator.userSendsMessage(channelID: 2001, content: "from a user")
        let edit = try await emulatorCall(emulator, "PATCH", "/channels/2001/messages/\(userMessage)", #"{"content":"x"}"#)
        #expect(edit.status == 403)
        #expect(edit.object?["code"] as? Int == 50005)
        let delete = try await emulatorCall(emulator, "DELETE", "/channels/2001/messages/\(userMessage)")
        #expect(delete.status == 204)
        #expect(emulator.messages(in: 2001).isEmpty)
        let again = try await emulatorCall(emulator, "DELETE", "/channels/2001/messages/\(userMessage)")
        #expect(again.object?["code"] as? Int == 10008)
    }

    @Test func bulkOverwriteValidatesAssignsStableIdsAndCountsOverwrites() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let invalid = try await emulatorCall(emulator, "PUT", "/applications/1000/commands", #"[{"name":"Bad Name","description":"x"},{"name":"ok","description":""}]"#)
        #expect(invalid.status == 400)
        #expect(invalid.object?["code"] as? Int == 50035)
        #expect(invalid.errorCode(["0", "name"]) == "APPLICATION_COMMAND_INVALID_NAME")
        #expect(invalid.errorCode(["1", "description"]) == "BASE_TYPE_BAD_LENGTH")
        let misordered = try await emulatorCall(emulator, "PUT", "/applications/1000/commands",
            #"[{"name":"roll","description":"Roll","options":[{"type":3,"name":"a","description":"a"},{"type":3,"name":"b","description":"b","required":true}]}]"#)
        #expect(misordered.errorCode(["0", "options"]) == "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID")
        #expect(emulator.commandOverwriteCount == 0)

        let body = #"[{"name":"ping","description":"Replies pong"},{"name":"echo","description":"Echo","options":[{"type":3,"name":"text","description":"What","required":true}]}]"#
        let first = try await emulatorCall(emulator, "PUT", "/applications/1000/commands", body)
        #expect(first.status == 200)
        let ids = first.array?.compactMap { $0["id"] as? String } ?? []
        #expect(ids.count == 2)
        let second = try await emulatorCall(emulator, "PUT", "/applications/1000/commands", body)
        #expect(second.array?.compactMap { $0["id"] as? String } == ids)
        #expect(second.array?.compactMap { $0["version"] as? String } == first.array?.compactMap { $0["version"] as? String })
        #expect(emulator.commandOverwriteCount == 2)
        #expect(emulator.commands(guildID: nil).map(\.name) == ["ping", "echo"])

        let guild = try await emulatorCall(emulator, "PUT", "/applications/1000/guilds/2000/commands", #"[{"name":"local","description":"Guild only"}]"#)
        #expect(guild.array?.first?["guild_id"] as? String == "2000")
        #expect(emulator.commands(guildID: 2000).map(\.name) == ["local"])
        let listed = try await emulatorCall(emulator, "GET", "/applications/1000/commands")
        #expect(listed.array?.count == 2)
        let unknownGuild = try await emulatorCall(emulator, "PUT", "/applications/1000/guilds/9/commands", "[]")
        #expect(unknownGuild.object?["code"] as? Int == 10004)
    }

    @Test func theInitialInteractionResponseMustComeWithin3SecondsAndOnlyOnce() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let (id, token) = emulator.userInvokesCommand(name: "ping")
        let reply = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback", #"{"type":4,"data":{"content":"pong"}}"#, token: nil)
        #expect(reply.status == 204)
        let twice = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback", #"{"type":4,"data":{"content":"pong"}}"#, token: nil)
        #expect(twice.status == 400)
        #expect(twice.object?["code"] as? Int == 40060)
        #expect(emulator.interactionResponses(id).map(\.status) == [204, 400])
        #expect(emulator.interactionResponses(id).first?.type == 4)
        let answer = emulator.messages(in: 2001).first
        #expect(answer?.content == "pong")
        #expect(answer?.interactionID == id)
        #expect(answer?.type == 20)

        let (late, lateToken) = emulator.userInvokesCommand(name: "ping")
        emulator.advanceClock(ms: 3_001)
        let tooLate = try await emulatorCall(emulator, "POST", "/interactions/\(late)/\(lateToken)/callback", #"{"type":5}"#, token: nil)
        #expect(tooLate.status == 404)
        #expect(tooLate.object?["code"] as? Int == 10062)

        let (wrongToken, _) = emulator.userInvokesCommand(name: "ping")
        let forged = try await emulatorCall(emulator, "POST", "/interactions/\(wrongToken)/forged/callback", #"{"type":5}"#, token: nil)
        #expect(forged.object?["code"] as? Int == 10062)
    }

    @Test func aButtonClickCanUpdateTheMessageItCameFrom() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        // Discord's 3-second response window runs on the emulator's clock: frozen, a stalled
        // machine cannot close it before the callback arrives.
        emulator.freezeClock()
        let row = #"[{"type":1,"components":[{"type":2,"style":1,"label":"More","custom_id":"more"}]}]"#
        let noCustomID = try await emulatorCall(emulator, "POST", "/channels/2001/messages",
            #"{"content":"x","components":[{"type":1,"components":[{"type":2,"style":1,"label":"More"}]}]}"#)
        #expect(noCustomID.errorCode(["components", "0", "components", "0"]) == "COMPONENT_CUSTOM_ID_REQUIRED")
        let posted = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"page 1","components":\#(row)}"#)
        let messageIDText = try #require(posted.object?["id"] as? String)
        let messageID = try #require(UInt64(messageIDText))
        let (id, token) = try #require(emulator.userClicksButton(messageID: messageID, customID: "more"))
        let wrongType = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback", #"{"type":8,"data":{"choices":[]}}"#, token: nil)
        #expect(wrongType.object?["code"] as? Int == 50035)
        let update = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback", #"{"type":7,"data":{"content":"page 2"}}"#, token: nil)
        #expect(update.status == 204)
        let message = emulator.messages(in: 2001).first
        #expect(message?.content == "page 2")
        #expect(message?.editCount == 1)
        #expect(message?.componentsJSON.contains("\"custom_id\":\"more\"") == true)
        #expect(emulator.userClicksButton(messageID: 42, customID: "more") == nil)
    }

    /// Discord reads `True`/`true`/`1` and `False`/`false`/`0` in boolean query strings
    /// (discord.py sends `with_response=1`); anything else is a form error.
    @Test func callbackWithResponseTakesEveryBooleanSpellingDiscordTakes() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()  // the 3-second window must not close on a stalled machine
        for (spelling, answersWithBody) in [("1", true), ("True", true), ("true", true), ("0", false), ("False", false), ("false", false)] {
            let (id, token) = emulator.userInvokesCommand(name: "echo")
            let answer = try await emulatorCall(
                emulator, "POST", "/interactions/\(id)/\(token)/callback?with_response=\(spelling)", #"{"type":4,"data":{"content":"hi"}}"#, token: nil)
            #expect(answer.status == (answersWithBody ? 200 : 204), "with_response=\(spelling)")
        }
        let (id, token) = emulator.userInvokesCommand(name: "echo")
        let refused = try await emulatorCall(
            emulator, "POST", "/interactions/\(id)/\(token)/callback?with_response=yes", #"{"type":4,"data":{"content":"hi"}}"#, token: nil)
        #expect(refused.status == 400)
        #expect(refused.object?["code"] as? Int == 50035)
        #expect(emulator.messages(in: 2001).count == 6)
    }

    @Test func deferredResponsesAreCompletedByEditingTheOriginalAndFollowUpsExpireAfter15Minutes() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let (id, token) = emulator.userInvokesCommand(name: "slow")
        let early = try await emulatorCall(emulator, "POST", "/webhooks/1000/\(token)", #"{"content":"too early"}"#, token: nil)
        #expect(early.object?["code"] as? Int == 10015)

        let deferred = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback?with_response=true", #"{"type":5,"data":{"flags":64}}"#, token: nil)
        #expect(deferred.status == 200)
        #expect((deferred.object?["interaction"] as? [String: Any])?["response_message_loading"] as? Bool == true)
        #expect(emulator.messages(in: 2001).first?.flags == 64 | 128)

        let edited = try await emulatorCall(emulator, "PATCH", "/webhooks/1000/\(token)/messages/@original", #"{"content":"done"}"#, token: nil)
        #expect(edited.status == 200)
        #expect(edited.object?["content"] as? String == "done")
        #expect(edited.object?["flags"] as? Int == 64)

        let followUp = try await emulatorCall(emulator, "POST", "/webhooks/1000/\(token)", #"{"content":"and more"}"#, token: nil)
        #expect(followUp.status == 200)
        let followUpID = try #require(followUp.object?["id"] as? String)
        #expect(emulator.messages(in: 2001).map(\.content) == ["done", "and more"])
        let original = try await emulatorCall(emulator, "GET", "/webhooks/1000/\(token)/messages/@original", token: nil)
        #expect(original.object?["content"] as? String == "done")
        let deleted = try await emulatorCall(emulator, "DELETE", "/webhooks/1000/\(token)/messages/\(followUpID)", token: nil)
        #expect(deleted.status == 204)
        #expect(emulator.interactionResponses(id).map(\.kind) == [.followUp, .callback, .editOriginal, .followUp, .deleteFollowUp])

        emulator.advanceClock(ms: 15 * 60 * 1000 + 1)
        let expired = try await emulatorCall(emulator, "POST", "/webhooks/1000/\(token)", #"{"content":"late"}"#, token: nil)
        #expect(expired.status == 401)
        #expect(expired.object?["code"] as? Int == 50027)
    }

    @Test func injectedRESTFaultsAnswerMatchingRequestsThenStop() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.injectREST(.serverError(count: 2, status: 502, method: "POST", pathPrefix: "/channels/2001/messages"))
        let unaffected = try await emulatorCall(emulator, "GET", "/users/@me")
        #expect(unaffected.status == 200)
        let first = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"a"}"#)
        #expect(first.status == 502)
        #expect(first.text.contains("502 Bad Gateway"))
        #expect(try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"a"}"#).status == 502)
        #expect(try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"a"}"#).status == 200)
        #expect(emulator.messages(in: 2001).count == 1)

        emulator.injectREST(.tooManyRequests(count: 1, retryAfterMs: 1500, global: true, scope: "global"))
        let storm = try await emulatorCall(emulator, "GET", "/users/@me")
        #expect(storm.status == 429)
        #expect(storm.header("Retry-After") == "2")
        #expect(storm.header("X-RateLimit-Global") == "true")
        #expect(storm.object?["retry_after"] as? Double == 1.5)
        #expect(emulator.invalidRequestCount == 1)
        // Shared-scope 429s do not count against the invalid-request budget.
        emulator.injectREST(.tooManyRequests(count: 1, retryAfterMs: 100, scope: "shared"))
        #expect(try await emulatorCall(emulator, "GET", "/users/@me").status == 429)
        #expect(emulator.invalidRequestCount == 1)
        #expect(emulator.faults.filter { $0.description.hasPrefix("REST") && $0.affected == 1 }.count == 4)
    }
}
