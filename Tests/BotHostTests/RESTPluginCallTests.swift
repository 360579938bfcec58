@testable import BotHost
import Foundation
import Logging
import Testing

/// discord_request through the ABI: a plain C plugin (built here with nothing but the header) calls
/// Discord through a host whose REST client runs over a scripted transport.
@Suite struct RESTPluginCallTests {
    /// Config {"traceFile": "…"}. A bus message on "dr.go" with payload "METHOD PATH [BODY]" makes a
    /// discord_request (audit reason "test"); "dr.cancel" unregisters the last one. Trace lines:
    ///   sent · refused <status> <last_error> · answer <status> <http status> <body> · free
    static let source = #"""
    #define _POSIX_C_SOURCE 200809L
    #include "bothost_plugin.h"
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>

    static const bothost_host_api *host;
    static bothost_plugin *me;
    static char trace_path[1024];
    static bothost_handle last;

    static void trace(const char *kind, int status, long http, const char *text, size_t len) {
        FILE *f = fopen(trace_path, "a");
        if (!f) return;
        fprintf(f, "%s %d %ld %.*s\n", kind, status, http, (int)len, text ? text : "");
        fclose(f);
    }

    static void on_answer(void *ud, bothost_handle request, bothost_status status, uint32_t http, bothost_bytes body) {
        (void)ud; (void)request;
        trace("answer", status, (long)http, (const char *)body.ptr, body.len);
    }

    static void on_free(void *ud) { trace("free", 0, 0, "", 0); free(ud); }

    static void on_go(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
        (void)ud; (void)sub; (void)topic;
        char line[4096];
        size_t n = payload.len < sizeof line - 1 ? payload.len : sizeof line - 1;
        memcpy(line, payload.ptr, n);
        line[n] = 0;
        char *path = strchr(line, ' ');
        if (!path) return;
        *path++ = 0;
        char *body = strchr(path, ' ');
        if (body) *body++ = 0; else body = "";
        bothost_str method = { line, strlen(line) }, p = { path, strlen(path) };
        bothost_bytes b = { (const uint8_t *)body, strlen(body) };
        bothost_status status = host->discord_request(me, method, p, b, BOTHOST_STR("test"), on_answer,
                                                      malloc(8), on_free, &last);
        if (status != BOTHOST_OK) {
            bothost_str error = host->last_error();
            trace("refused", status, 0, error.ptr, error.len);
        } else {
            trace("sent", 0, 0, "", 0);
        }
    }

    static void on_cancel(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
        (void)ud; (void)sub; (void)topic; (void)payload;
        host->unregister(me, last);
    }

    static int32_t start(bothost_plugin *self, void *state, bothost_str *reason) {
        (void)state; (void)reason;
        me = self;
        bothost_buffer config;
        if (host->config_get(self, &config) != BOTHOST_OK) return BOTHOST_E_PLUGIN;
        const char *key = strstr((const char *)config.ptr, "\"traceFile\"");
        size_t n = 0;
        if (key && (key = strchr(key + 11, '"'))) {
            for (key++; *key && *key != '"' && n + 1 < sizeof trace_path; key++) {
                if (*key == '\\') key++;
                trace_path[n++] = *key;
            }
        }
        trace_path[n] = 0;
        host->free(config.ptr);
        if (!BOTHOST_API_HAS(host, discord_request)) { trace("no-slot", 0, 0, "", 0); return BOTHOST_OK; }
        bothost_handle h;
        host->bus_subscribe(self, BOTHOST_STR("dr.go"), on_go, NULL, NULL, &h);
        host->bus_subscribe(self, BOTHOST_STR("dr.cancel"), on_cancel, NULL, NULL, &h);
        return BOTHOST_OK;
    }

    static const bothost_plugin_descriptor descriptor = {
        .struct_size = sizeof(bothost_plugin_descriptor),
        .abi_major = BOTHOST_ABI_MAJOR, .abi_minor = BOTHOST_ABI_MINOR,
        .name = "caller", .version = "1.0.0", .description = "calls Discord REST", .start = start,
    };
    BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) { host = api; return &descriptor; }
    """#

    /// Compiled once (tests run in parallel and must not write the same output file together);
    /// each test then loads its own copy.
    private static let compiled: Result<String, any Error> = Result {
        let directory = Fixtures.temporaryDirectory("discord-caller")
        let file = directory.appendingPathComponent("discord_caller.c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        return try Fixtures.compileC(file.path, name: "discord_caller")
    }

    static func library() throws -> String {
        Fixtures.privateCopy(of: try compiled.get())
    }

    /// A host running the caller plugin, with `transport` behind its Discord client (nil: none).
    static func host(_ transport: RESTClientTests.ScriptedTransport?, isolated: Bool = false) async throws -> (TestHost, TraceFile, DiscordREST?) {
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        var client: DiscordREST?
        if let transport {
            let rest = try DiscordREST(configuration: DiscordRESTConfiguration(), token: RESTClientTests.token, clock: SystemClock(),
                                       logger: Logger(label: "test"), transport: transport)
            host.runtime.setDiscord(rest)
            client = rest
        }
        let isolation = isolated ? #""isolation": "process","# : ""
        try await host.apply(plugins: #"[{"name": "caller", "library": \#(jsonString(try library())), \#(isolation) "config": {"traceFile": \#(jsonString(trace.path))}}]"#)
        return (host, trace, client)
    }

    static func finish(_ host: TestHost, _ client: DiscordREST?) async {
        await host.shutdown()
        host.runtime.setDiscord(nil)
        await client?.shutdown()
    }

    /// Also isolated: the call crosses from the plugin's process, the token never does.
    @Test(arguments: [false, true]) func thePluginGetsDiscordsAnswerAndNeverTheToken(isolated: Bool) async throws {
        let transport = RESTClientTests.ScriptedTransport([
            RESTClientTests.response(200, #"{"id":"55","content":"hi","echo":"Bot \#(RESTClientTests.token)"}"#),
            RESTClientTests.response(403, #"{"code":50013,"message":"Missing Permissions"}"#),
        ])
        let (host, trace, client) = try await Self.host(transport, isolated: isolated)
        try host.publish("dr.go", #"POST /channels/1/messages {"content":"hi"}"#)
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("answer 0 200 ") } }, "\(trace.text)")
        try host.publish("dr.go", "DELETE /channels/1/messages/55")
        // A Discord error is an answer: status OK, the HTTP status and Discord's error JSON.
        #expect(await eventually { trace.lines.contains(#"answer 0 403 {"code":50013,"message":"Missing Permissions"}"#) }, "\(trace.text)")
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("free") }.count == 2 })
        #expect(!trace.text.contains(RESTClientTests.token))

        let sent = transport.requests.first
        #expect(RESTClientTests.header(sent, "Authorization") == "Bot \(RESTClientTests.token)")
        #expect(RESTClientTests.header(sent, "X-Audit-Log-Reason") == "test")
        #expect(sent?.url == "https://discord.com/api/v10/channels/1/messages")
        let body = try sent?.body.map { try JSONValue.parse($0) }
        #expect(body?["content"]?.stringValue == "hi" && body?["enforce_nonce"]?.boolValue == true)
        await Self.finish(host, client)
    }

    @Test(arguments: [false, true]) func malformedRequestsAreRefusedAtTheCallAndUserDataIsFreedOnce(isolated: Bool) async throws {
        let transport = RESTClientTests.ScriptedTransport()
        let (host, trace, client) = try await Self.host(transport, isolated: isolated)
        try host.publish("dr.go", "GET https://evil.example/x")
        try host.publish("dr.go", "POST /channels/1/messages {not json")
        try host.publish("dr.go", "BREW /coffee")
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("refused 1 ") }.count == 3 }, "\(trace.text)")
        #expect(trace.lines.contains { $0.hasPrefix("refused 1 ") && $0.contains("must start with \"/\"") })
        #expect(await eventually { trace.lines.filter { $0 == "free 0 0 " }.count == 3 })
        #expect(transport.count == 0)
        await Self.finish(host, client)
    }

    @Test func withoutADiscordConnectionTheCallIsUnsupported() async throws {
        let (host, trace, client) = try await Self.host(nil)
        try host.publish("dr.go", "GET /users/@me")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("refused 8 ") && $0.contains("no bot token is configured") } }, "\(trace.text)")
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("free") }.count == 1 })
        await Self.finish(host, client)
    }

    /// Also isolated: the plugin that cancels still gets its one BOTHOST_E_CANCELLED answer.
    @Test(arguments: [false, true]) func unregisteringCancelsTheCallOnce(isolated: Bool) async throws {
        let transport = RESTClientTests.ScriptedTransport()
        transport.holdNext.store(true, ordering: .relaxed)
        let (host, trace, client) = try await Self.host(transport, isolated: isolated)
        try host.publish("dr.go", "GET /channels/1")
        #expect(await eventually { trace.lines.contains("sent 0 0 ") })
        #expect(await eventually { transport.isHolding }, "the call is on the wire")
        try host.publish("dr.cancel", "")
        #expect(await eventually { trace.lines.contains(#"answer 11 0 {"error":"cancelled"}"#) }, "\(trace.text)")
        transport.release()
        // The released request completes; a second one to the same route then queues behind it,
        // so its answer comes after the first call's late outcome, which must go nowhere.
        #expect(await eventually { transport.count == 1 })
        try host.publish("dr.go", "GET /channels/1")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("answer 0 200 ") } }, "\(trace.text)")
        #expect(trace.lines.filter { $0.hasPrefix("answer") } == [#"answer 11 0 {"error":"cancelled"}"#, "answer 0 200 {}"])
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("free") }.count == 2 })
        await Self.finish(host, client)
    }

    @Test func noAnswerMeansAStatusAndAnErrorObjectWithoutSecrets() async throws {
        let transport = RESTClientTests.ScriptedTransport([.failure(.transport("refused: Bot \(RESTClientTests.token)"))])
        let (host, trace, client) = try await Self.host(transport)
        try host.publish("dr.go", #"POST /guilds/1/roles {}"#)  // not retry-safe: fails at once
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("answer 9 0 {\"error\":") } }, "\(trace.text)")
        #expect(!trace.text.contains(RESTClientTests.token))
        await Self.finish(host, client)
    }
}
