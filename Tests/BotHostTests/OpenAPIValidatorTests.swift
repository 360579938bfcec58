import BotHost
import Foundation
import Testing

/// Validates one request against the shared spec, with a JSON body given as text.
private func check(_ method: String, _ path: String, _ json: String? = nil,
                   contentType: String? = "application/json") -> [String] {
    OpenAPISpec.shared.validate(method: method, path: path, body: json.map { Array($0.utf8) },
                                contentType: json == nil ? nil : contentType)
}

/// True when some problem contains every one of `fragments`.
private func mentions(_ problems: [String], _ fragments: String...) -> Bool {
    problems.contains { problem in fragments.allSatisfy { problem.contains($0) } }
}

@Suite struct OpenAPIValidatorRouteTests {
    @Test func specLoadsFromTheFixture() {
        #expect(OpenAPISpec.shared.router.routes.count > 100)
        #expect(OpenAPISpec.shared.evaluator.namedSchemas["MessageCreateRequest"] != nil)
    }

    @Test func validMessageCreatePasses() {
        #expect(check("POST", "/api/v10/channels/1/messages", #"{"content": "hi"}"#) == [])
    }

    @Test func queryAndCharsetAreIgnored() {
        let problems = check("POST", "/api/v10/channels/1/messages?wait=true", #"{"content": "hi"}"#,
                             contentType: "application/json; charset=utf-8")
        #expect(problems == [])
    }

    @Test func unknownRouteFails() {
        let problems = check("POST", "/api/v10/channels/1/messagez", #"{"content": "hi"}"#)
        #expect(mentions(problems, "no path", "/channels/1/messagez", "nearest: /channels/{channel_id}/messages"))
    }

    @Test func wrongMethodFails() {
        let problems = check("PUT", "/api/v10/channels/1/messages", #"{"content": "hi"}"#)
        #expect(mentions(problems, "no PUT", "/channels/{channel_id}/messages", "GET, POST"))
    }

    @Test func pathWithoutTheAPIBaseFails() {
        #expect(mentions(check("GET", "/api/v9/users/@me"), "/api/v10"))
        #expect(check("GET", "/api/v10/users/@me") == [])
    }

    @Test func parameterValuesMustFitTheirSchema() {
        let problems = check("GET", "/api/v10/channels/general")
        #expect(mentions(problems, "no path", "{channel_id}", "\"general\""))
        #expect(mentions(check("GET", "/api/v10/channels//messages"), "{channel_id} is empty"))
    }

    @Test func literalSegmentsWinOverParameters() {
        // "@me" is no snowflake, so it can only be the literal of /users/@me.
        #expect(check("GET", "/api/v10/users/@me") == [])
        #expect(mentions(check("DELETE", "/api/v10/users/@me"), "no DELETE", "/users/@me"))
        #expect(check("GET", "/api/v10/users/42") == [])
    }

    @Test func webhookOriginalMessageEditPasses() {
        #expect(check("PATCH", "/api/v10/webhooks/1/tok/messages/@original", #"{"content": "edited"}"#) == [])
        // It is routed to the @original path, not to {message_id}.
        let bad = check("PATCH", "/api/v10/webhooks/1/tok/messages/@original", #"{"content": 1}"#)
        #expect(mentions(bad, "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original", "body /content"))
        #expect(mentions(check("PUT", "/api/v10/webhooks/1/tok/messages/@original", "{}"), "no PUT", "@original"))
    }

    @Test func absoluteURLsArePathsToo() {
        #expect(check("POST", "http://127.0.0.1:8080/api/v10/channels/1/messages", #"{"content": "hi"}"#) == [])
    }

    @Test func percentEncodedSegmentsAreDecoded() {
        #expect(check("PUT", "/api/v10/channels/1/messages/2/reactions/%F0%9F%91%8D/@me") == [])
    }
}

@Suite struct OpenAPIValidatorBodyTests {
    @Test func contentOfTheWrongTypeFails() {
        let problems = check("POST", "/api/v10/channels/1/messages", #"{"content": 5}"#)
        #expect(mentions(problems, "body /content", "expected string or null", "integer 5"))
    }

    @Test func embedTitleOverItsMaxLengthFails() {
        let title = String(repeating: "a", count: 257)
        let problems = check("POST", "/api/v10/channels/1/messages", #"{"embeds": [{"title": "\#(title)"}]}"#)
        #expect(mentions(problems, "body /embeds/0/title", "257 characters", "maxLength 256"))
        let fits = String(repeating: "a", count: 256)
        #expect(check("POST", "/api/v10/channels/1/messages", #"{"embeds": [{"title": "\#(fits)"}]}"#) == [])
    }

    @Test func bulkOverwriteOfCommandsPassesWithValidCommands() {
        let commands = #"""
        [{"name": "count", "description": "Adds to the counter", "type": 1,
          "options": [{"type": 4, "name": "add", "description": "How much", "required": true, "min_value": 1}]},
         {"name": "greet", "description": "Says hello", "contexts": [0, 1], "integration_types": [0]}]
        """#
        #expect(check("PUT", "/api/v10/applications/1/commands", commands) == [])
        #expect(check("PUT", "/api/v10/applications/1/guilds/2/commands", commands) == [])
    }

    @Test func bulkOverwriteOfCommandsFailsWithoutAName() {
        let problems = check("PUT", "/api/v10/applications/1/commands", #"[{"description": "no name", "type": 1}]"#)
        #expect(mentions(problems, "body /0", "missing required property \"name\""))
    }

    @Test func commandKeywordsAreEnforced() {
        let path = "/api/v10/applications/1/commands"
        #expect(mentions(check("PUT", path, #"[{"name": "a", "contexts": [0, 0]}]"#), "/0/contexts", "uniqueItems"))
        #expect(mentions(check("PUT", path, #"[{"name": "a", "contexts": []}]"#), "/0/contexts", "minItems 1"))
        #expect(mentions(check("PUT", path, #"[{"name": ""}]"#), "/0/name", "minLength 1"))
        #expect(mentions(check("PUT", path, #"[{"name": "a", "name_localizations": {"fr": ""}}]"#),
                         "/0/name_localizations/fr", "minLength 1"))
        #expect(mentions(check("PUT", path, #"[{"name": "a", "type": 9}]"#), "/0/type", "1 (CHAT)"))
        #expect(mentions(check("PUT", path, #"[{"name": "a", "default_member_permissions": -1}]"#),
                         "/0/default_member_permissions", "minimum 0"))
    }

    @Test func interactionCallbackPasses() {
        let body = #"{"type": 4, "data": {"content": "x", "flags": 64}}"#
        #expect(check("POST", "/api/v10/interactions/1/tok/callback", body) == [])
        #expect(check("POST", "/api/v10/interactions/1/tok/callback", #"{"type": 5}"#) == [])
    }

    @Test func interactionCallbackWithWrongFieldsFails() {
        let badFlags = check("POST", "/api/v10/interactions/1/tok/callback", #"{"type": 4, "data": {"flags": "64"}}"#)
        #expect(mentions(badFlags, "/data/flags", "expected integer or null"))
        let badType = check("POST", "/api/v10/interactions/1/tok/callback", #"{"type": 99}"#)
        #expect(mentions(badType, "body", "anyOf"))
        #expect(badType.count >= 1)
    }

    @Test func snowflakesAreDigitStrings() {
        let path = "/api/v10/channels/1/messages"
        #expect(check("POST", path, #"{"content": "re", "message_reference": {"message_id": "1234567890123456789"}}"#) == [])
        let integer = check("POST", path, #"{"message_reference": {"message_id": 12}}"#)
        #expect(mentions(integer, "body /message_reference: matches no oneOf alternative", "closest, MessageReferenceRequest"))
        #expect(mentions(integer, "body /message_reference/message_id: expected string, found integer 12"))
        #expect(mentions(check("POST", path, #"{"message_reference": {"message_id": "12a"}}"#),
                         "/message_reference/message_id", "not a snowflake"))
        #expect(mentions(check("POST", path, #"{"sticker_ids": ["012"]}"#), "/sticker_ids/0", "pattern"))
    }

    @Test func integersAreWrittenAsIntegers() {
        let path = "/api/v10/channels/1/messages"
        #expect(mentions(check("POST", path, #"{"flags": 4.0}"#), "/flags", "expected integer or null", "number 4.0"))
        #expect(mentions(check("POST", path, #"{"embeds": [{"color": 16777216}]}"#), "/embeds/0/color", "maximum 16777215"))
        #expect(mentions(check("POST", path, #"{"nonce": "12345678901234567890123456"}"#), "/nonce", "oneOf"))
        #expect(check("POST", path, #"{"nonce": 123, "enforce_nonce": true}"#) == [])
    }

    @Test func formatsAreChecked() {
        let path = "/api/v10/channels/1/messages"
        #expect(check("POST", path, #"{"embeds": [{"timestamp": "2024-01-31T12:00:00.000Z", "url": "https://x.y"}]}"#) == [])
        #expect(mentions(check("POST", path, #"{"embeds": [{"timestamp": "yesterday"}]}"#), "/embeds/0/timestamp", "date-time"))
        #expect(mentions(check("POST", path, #"{"embeds": [{"url": "not a url"}]}"#), "/embeds/0/url", "URI"))
    }

    @Test func componentUnionsNameTheClosestAlternative() {
        let body = #"{"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": 7, "custom_id": "a"}]}]}"#
        let problems = check("POST", "/api/v10/channels/1/messages", body)
        #expect(mentions(problems, "body /components/0", "ActionRowComponentForMessageRequest"))
        #expect(mentions(problems, "/components/0/components/0/label", "expected string"))
        let valid = #"{"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "a"}]}]}"#
        #expect(check("POST", "/api/v10/channels/1/messages", valid) == [])
    }

    @Test func bodyToAnOperationWithoutOneFails() {
        #expect(check("POST", "/api/v10/channels/1/typing") == [])
        #expect(mentions(check("POST", "/api/v10/channels/1/typing", "{}"), "takes no request body", "2 bytes"))
    }

    @Test func missingRequiredBodyFails() {
        #expect(mentions(check("POST", "/api/v10/channels/1/messages"), "requires a request body"))
        let empty = OpenAPISpec.shared.validate(method: "POST", path: "/api/v10/channels/1/messages", body: [],
                                                contentType: "application/json")
        #expect(mentions(empty, "requires a request body"))
    }

    @Test func contentTypeMustBeAccepted() {
        #expect(mentions(check("POST", "/api/v10/channels/1/messages", #"{"content": "hi"}"#, contentType: nil),
                         "without a Content-Type"))
        #expect(mentions(check("POST", "/api/v10/channels/1/messages", #"{"content": "hi"}"#, contentType: "text/plain"),
                         "text/plain is not accepted", "application/json"))
    }

    @Test func malformedJSONFails() {
        let problems = check("POST", "/api/v10/channels/1/messages", #"{"content": "hi",}"#)
        #expect(mentions(problems, "not valid JSON", "line 1"))
    }

    @Test func multipartPayloadJSONIsValidated() {
        func multipart(_ payload: String, fileField: String = "files[0]") -> [UInt8] {
            let text = "--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n"
                + payload + "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n"
            return Array(text.utf8)
        }
        let type = "multipart/form-data; boundary=XyZ"
        let spec = OpenAPISpec.shared
        let path = "/api/v10/channels/1/messages"
        let ok = multipart(#"{"content": "file", "attachments": [{"id": "0", "filename": "a.txt"}]}"#)
        #expect(spec.validate(method: "POST", path: path, body: ok, contentType: type) == [])
        let bad = spec.validate(method: "POST", path: path, body: multipart(#"{"content": []}"#), contentType: type)
        #expect(mentions(bad, "payload_json /content", "expected string or null"))
        let field = spec.validate(method: "POST", path: path, body: multipart("{}", fileField: "file"), contentType: type)
        #expect(mentions(field, "\"file\"", "files[n]"))
        let noBoundary = spec.validate(method: "POST", path: path, body: ok, contentType: "multipart/form-data")
        #expect(mentions(noBoundary, "no boundary"))
    }

    @Test func problemsAreCapped() {
        let embeds = (0..<11).map { _ in #"{"title": 1, "description": 2}"# }.joined(separator: ",")
        let problems = check("POST", "/api/v10/channels/1/messages", #"{"content": 1, "embeds": [\#(embeds)]}"#)
        #expect(problems.count == OpenAPISpec.maxProblems + 1)
        #expect(problems.last?.contains("more problems") == true)
        #expect(mentions(problems, "/embeds", "maxItems 10"))
    }
}

/// Keywords the spec's request paths do not exercise in a convenient way, on a small inline spec.
@Suite struct OpenAPIValidatorKeywordTests {
    private static let spec: OpenAPISpec = {
        let text = #"""
        {"paths": {"/things/{thing_id}": {
            "parameters": [{"name": "thing_id", "in": "path", "schema": {"type": "integer", "minimum": 1, "maximum": 10}}],
            "post": {"requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
          "/things/{thing_id}/{label}": {
            "parameters": [{"name": "thing_id", "in": "path", "schema": {"type": "integer"}},
                           {"name": "label", "in": "path", "schema": {"type": "string"}}],
            "post": {}, "delete": {}},
          "/things/{thing_id}/special": {
            "parameters": [{"name": "thing_id", "in": "path", "schema": {"type": "integer"}}],
            "post": {"requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}}}}},
         "components": {"schemas": {"Thing": {"type": "object", "additionalProperties": false, "required": ["kind"],
            "properties": {
              "kind": {"enum": ["a", "b"]},
              "fixed": {"const": true},
              "either": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
              "ratio": {"type": "number", "format": "double"},
              "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
              "meta": {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "boolean"}},
              "small": {"type": "integer", "format": "int32"}}}}}}
        """#
        do {
            return OpenAPISpec(document: try JSONValue.parse(text))
        } catch {
            Issue.record("the inline spec does not parse: \(error)")
            return OpenAPISpec(document: .null)
        }
    }()

    private func check(_ json: String, path: String = "/api/v10/things/3") -> [String] {
        Self.spec.validate(method: "POST", path: path, body: Array(json.utf8), contentType: "application/json")
    }

    @Test func validThingPasses() {
        #expect(check(#"{"kind": "a", "fixed": true, "either": -1, "ratio": 0.5, "tags": ["x"], "meta": {"m": false}}"#) == [])
    }

    @Test func integerPathParametersTakeDigits() {
        #expect(mentions(check(#"{"kind": "a"}"#, path: "/api/v10/things/11"), "{thing_id}", "maximum 10"))
        #expect(mentions(check(#"{"kind": "a"}"#, path: "/api/v10/things/x"), "{thing_id}"))
    }

    @Test func aLiteralSegmentWinsAndOtherMethodsFallBackToTheParameter() {
        let spec = Self.spec
        // "special" also fits {label}; the literal path is chosen, so its required body is missing.
        let literal = spec.validate(method: "POST", path: "/api/v10/things/3/special", body: nil, contentType: nil)
        #expect(mentions(literal, "POST /things/{thing_id}/special", "requires a request body"))
        #expect(spec.validate(method: "POST", path: "/api/v10/things/3/other", body: nil, contentType: nil) == [])
        // The literal path has no DELETE, the parameter path has.
        #expect(spec.validate(method: "DELETE", path: "/api/v10/things/3/special", body: nil, contentType: nil) == [])
    }

    @Test func enumConstAndAdditionalProperties() {
        #expect(mentions(check(#"{"kind": "c"}"#), "body /kind", "not one of the allowed values \"a\", \"b\""))
        #expect(mentions(check(#"{"kind": "a", "fixed": false}"#), "body /fixed", "expected exactly true"))
        #expect(mentions(check(#"{"kind": "a", "extra/field": 1}"#), "body /extra~1field", "additionalProperties is false"))
        #expect(mentions(check(#"{}"#), "body: missing required property \"kind\""))
    }

    @Test func oneOfMustMatchExactlyOnce() {
        #expect(mentions(check(#"{"kind": "a", "either": 2}"#), "/either", "matches 2 oneOf alternatives"))
        #expect(check(#"{"kind": "a", "either": 2.5}"#) == [])
    }

    @Test func objectAndArrayLimits() {
        #expect(mentions(check(#"{"kind": "a", "tags": ["x", "y", "z"]}"#), "/tags", "maxItems 2"))
        #expect(mentions(check(#"{"kind": "a", "tags": [1]}"#), "/tags/0", "expected string"))
        #expect(mentions(check(#"{"kind": "a", "meta": {"a": true, "b": true}}"#), "/meta", "maxProperties 1"))
        #expect(mentions(check(#"{"kind": "a", "meta": {"a": 1}}"#), "/meta/a", "expected boolean"))
        #expect(mentions(check(#"{"kind": "a", "small": 2147483648}"#), "/small", "int32"))
    }

    @Test func anUnloadableSpecReportsWhy() {
        let missing = OpenAPISpec(contentsOf: URL(fileURLWithPath: "/nonexistent/openapi.json"))
        let problems = missing.validate(method: "GET", path: "/api/v10/users/@me", body: nil, contentType: nil)
        #expect(mentions(problems, "could not be loaded", "/nonexistent/openapi.json"))
    }
}
