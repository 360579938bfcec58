import StrictJSON
import Testing

/// The strict JSON field reader the shipped plugins share: every error names the field and says
/// what was wrong, and nothing is silently defaulted.
@Suite struct StrictJSONTests {
    /// A document read as a whole, keeping its fields to read in the test.
    private struct Document: Decodable {
        let fields: JSONFields
        init(from decoder: any Decoder) throws { fields = try JSONFields(decoder) }
    }

    private func fields(_ json: String) throws(FieldError) -> JSONFields {
        try JSONFields.decode(Document.self, from: Array(json.utf8), what: "the config").fields
    }

    /// The error `read` throws, or nil when it reads fine.
    private func problem<Value>(_ read: () throws -> Value) -> FieldError? {
        do {
            _ = try read()
            return nil
        } catch {
            return error as? FieldError
        }
    }

    @Test func aFieldOfTheWrongTypeNamesTheFieldAndWhatItHeld() throws {
        let doc = try fields(#"{"port": "80", "on": 1, "name": 7, "tags": ["a", 2], "server": [1], "ratio": true}"#)
        #expect(problem { try doc.integer("port") } == FieldError("port", #"must be a whole number, got "80""#))
        #expect(problem { try doc.bool("on") } == FieldError("on", "must be true or false, got 1"))
        #expect(problem { try doc.string("name") } == FieldError("name", "must be a string, got 7"))
        #expect(problem { try doc.number("ratio") } == FieldError("ratio", "must be a number, got true"))
        #expect(problem { try doc.strings("tags") }?.field == "tags")
        #expect(problem { try doc.object("server") } == FieldError("server", "must be a JSON object, got an array"))
        // A fraction is refused, not truncated.
        #expect(problem { try fields(#"{"cost": 1.5}"#).integer("cost") } == FieldError("cost", "must be a whole number, got 1.5"))
    }

    @Test func aNestedErrorNamesTheWholePath() throws {
        let doc = try fields(#"{"server": {"port": false}}"#)
        let server = try #require(try doc.object("server"))
        let error = problem { try server.integer("port") }?.inside("server")
        #expect(error?.description == #""server.port" must be a whole number, got false"#)
        #expect(FieldError("[2]", "must be a JSON object").inside("sources").field == "sources[2]")
        #expect(FieldError("", "is required").inside("voice").field == "voice")
    }

    @Test func nullReadsAsNilButCountsAsWritten() throws {
        let doc = try fields(#"{"port": null, "channel": null, "server": null, "sources": null, "tags": null}"#)
        #expect(try doc.integer("port") == nil)
        #expect(try doc.snowflake("channel") == nil)
        #expect(try doc.object("server") == nil)
        #expect(try doc.objects("sources") == nil)
        #expect(try doc.strings("tags") == nil)
        #expect(!doc.has("port") && doc.isPresent("port"))
        #expect(!doc.has("missing") && !doc.isPresent("missing"))
        #expect(try doc.integer("missing") == nil)
        #expect(try fields(#"{"port": 0}"#).integer("port") == 0)
    }

    @Test func anUnknownKeyIsRefusedNamingTheKnownOnes() throws {
        let doc = try fields(#"{"port": 1, "zz": 0, "hots": "x"}"#)
        #expect(problem { try doc.rejectUnknown(known: ["host", "port", "zz"]) }
                == FieldError("hots", "is not a known key; known keys: host, port, zz"))
        #expect(problem { try doc.rejectUnknown(known: ["hots", "port", "zz"]) } == nil)
        // A key written as null is still a key: a typo set to null is refused too.
        #expect(problem { try fields(#"{"prot": null}"#).rejectUnknown(known: ["port"]) }?.field == "prot")
    }

    @Test func aSnowflakeWrittenAsANumberIsRefusedForItsLostPrecision() throws {
        let error = problem { try fields(#"{"channel": 80351110224678912}"#).snowflake("channel") }
        #expect(error?.field == "channel")
        #expect(error?.problem.hasPrefix("must be a snowflake written as a string of digits") == true)
        #expect(error?.problem.contains("loses precision past 2^53") == true)
    }

    @Test func aSnowflakeIsAStringOfDigitsReadCanonically() throws {
        let doc = try fields(#"{"a": "80351110224678912", "b": "007", "zero": "0", "neg": "-4", "word": "abc", "big": "18446744073709551616"}"#)
        #expect(try doc.snowflake("a") == 80_351_110_224_678_912)
        #expect(try doc.snowflake("b").map { String($0) } == "7")  // no leading zeros
        for name in ["zero", "neg", "word", "big"] {
            let error = problem { try doc.snowflake(name) }
            #expect(error?.field == name)
            #expect(error?.problem.hasPrefix(#"must be a snowflake: a string of digits such as "80351110224678912", got ""#) == true)
        }
        #expect(Snowflake.parse("123") == 123 && Snowflake.parse("") == nil && Snowflake.parse(" 1") == nil)
    }

    @Test func aListOfObjectsNamesTheBadIndex() throws {
        let doc = try fields(#"{"sources": [{"id": "a"}, {"id": "b"}, 7], "one": {"id": "c"}}"#)
        #expect(problem { try doc.objects("sources") } == FieldError("sources[2]", "must be a JSON object"))
        #expect(problem { try doc.objects("one") } == FieldError("one", "must be a list of objects, got an object"))
        let list = try #require(try fields(#"{"sources": [{"id": "a"}, {"id": "b"}]}"#).objects("sources"))
        #expect(try list.map { try $0.string("id") } == ["a", "b"])
    }

    @Test func aWholeDocumentThatIsNotAnObjectSaysSo() {
        func documentProblem(_ json: String) -> String? {
            do {
                _ = try fields(json)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(documentProblem(" \n ") == "the config is empty; expected a JSON object")
        #expect(documentProblem("[1]") == "the config must be a JSON object")
        #expect(documentProblem(#""text""#) == "the config must be a JSON object")
        #expect(documentProblem("{nope") == "the config is not valid JSON")
        #expect(documentProblem("{}") == nil)
    }
}
