/*
 * probe — a test plugin that records what reaches it through the ABI.
 *
 * Config: {"traceFile": "/path", "subscribe": "a.*,b.>"}
 *   - every message on a subscribed pattern appends   "msg <topic> <payload>\n"
 *   - serves probe.echo (replies with the payload) and probe.silent (never replies)
 *   - a message on probe.ask with payload "<topic> <timeoutMs> <payload>" sends a bus request;
 *     the answer appends "reply <topic> <STATUS-number> <payload>\n"
 *   - config "origin": "pattern" subscribes and appends "origin <topic> <shard> <sequence> <publisher>\n"
 *     (host->bus_message_info)
 *   - a message on probe.block with payload N appends "blocking probe.block N \n" and then keeps the
 *     plugin's executor busy for N ms (a deliberate overrun); with payload "N /path" it is busy
 *     until that file exists (at most N ms), so the test decides when the executor is free again
 *   - a message on probe.http with payload "<timeoutMs> <url>" sends a GET; the answer appends
 *     "http <STATUS-number> <http status> <x-probe header> <body>\n"; probe.http.cancel cancels it
 *   - config "startRequest": "/path" sends GET /path to Discord from start (discord_request); the
 *     answer appends "startrequest GET <STATUS-number> <http status>\n", a refused call
 *     "startrequest-refused GET <STATUS-number> <error>\n"
 *   - a message on probe.log logs its payload at warning level (host->log)
 *   - a message on probe.publish with payload "<topic> <payload>" publishes it and appends
 *     "published <topic> <STATUS-number> <last_error or empty>\n"
 *   - config "envCheck": "NAME" appends "env NAME set\n" or "env NAME unset\n" at init (getenv)
 *   - config "components": "prefix" owns custom_ids starting with prefix (component_register); each
 *     use appends "component <custom_id> <kind>\n" and is answered with a deferred update, unless
 *     the custom_id contains ":silent" (then the plugin never answers)
 *   - config "sizes": "1" makes subscribed messages append "msg <topic> <payload length>\n" instead
 *     of the payload (for tests that send large events)
 *   - config "blockOn": "pattern" subscribes the probe.block behaviour to that pattern too, so a
 *     test can stall one probe while another beside it keeps running
 *   - config "timers": "<count> <intervalMs>" starts up to count repeating timers at start and
 *     appends "timers <started> <STATUS-number of the first refusal, or 0> <last_error>\n"; when
 *     count is 1 each tick appends "tick <n>\n"
 *   - config "serve": "topic" tries bus_serve(topic) at start and appends
 *     "serve <topic> <STATUS-number> <last_error or empty>\n" (a serving probe echoes requests)
 *   - config "command": "name" tries command_register of /name at start and appends
 *     "command <name> <STATUS-number> <last_error or empty>\n"
 *
 * Build with -DPROBE_VERSION='"2.0.0"' to get a library that differs from the default one, with
 * -DPROBE_ECHO_PREFIX='"v2 "' to have probe.echo answer with that prefix before the payload (so a
 * test sees which build answers), and with -DPROBE_OWNS='"name"' to declare that name in the
 * descriptor's owned_names.
 */
#define _GNU_SOURCE /* memmem */
#include "fixture_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef PROBE_VERSION
#define PROBE_VERSION "1.0.0"
#endif
/* Build with -DPROBE_NAME='"other"' to load a second, independent probe beside the first. */
#ifndef PROBE_NAME
#define PROBE_NAME "probe"
#endif
/* -DPROBE_SERVES=0 leaves probe.echo and probe.silent unserved, so several probes can run at once. */
#ifndef PROBE_SERVES
#define PROBE_SERVES 1
#endif

/* What probe.echo puts before the payload it answers with (nothing by default). */
#ifndef PROBE_ECHO_PREFIX
#define PROBE_ECHO_PREFIX ""
#endif

static bothost_plugin *self_plugin;

typedef struct {
    char trace[1024];
    char subscribe[1024];
    char origin[256];
    char components[128];
    char start_request[256];
    char block_on[256];
    char timers[64];
    char serve[256];
    char command[64];
    int sizes;
    long timer_count;
    long ticks;
} probe_state;

static void trace(probe_state *s, const char *kind, bothost_str a, long number, bothost_bytes b, int with_number) {
    char count[24] = "";
    if (with_number) snprintf(count, sizeof count, " %ld", number);
    fixture_trace(s->trace, "%s %.*s%s %.*s\n", kind, (int)a.len, a.ptr ? a.ptr : "", count, (int)b.len,
                  b.ptr ? (const char *)b.ptr : "");
}

static void on_message(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub;
    probe_state *s = ud;
    if (s->sizes) {
        trace(s, "msg", topic, (long)payload.len, (bothost_bytes){0}, 1);
        return;
    }
    trace(ud, "msg", topic, 0, payload, 0);
}

static void on_tick(void *ud, bothost_handle timer) {
    (void)timer;
    probe_state *s = ud;
    s->ticks++;
    if (s->timer_count != 1) return;
    fixture_trace(s->trace, "tick %ld\n", s->ticks);
}

/* Appends "<kind> <what> <status> <last_error or empty>". */
static void trace_status(probe_state *s, const char *kind, bothost_str what, bothost_status status) {
    bothost_str error = status == BOTHOST_OK ? BOTHOST_STR("") : host->last_error();
    trace(s, kind, what, status, (bothost_bytes){ (const uint8_t *)error.ptr, error.len }, 1);
}

static void on_component(void *ud, const bothost_interaction *interaction) {
    probe_state *s = ud;
    bothost_bytes kind_text = { (const uint8_t *)(interaction->kind == BOTHOST_INTERACTION_MODAL_SUBMIT ? "modal" : "component"),
                                interaction->kind == BOTHOST_INTERACTION_MODAL_SUBMIT ? 5 : 9 };
    trace(s, "component", interaction->custom_id, 0, kind_text, 0);
    if (memmem(interaction->custom_id.ptr, interaction->custom_id.len, ":silent", 7)) return;
    host->interaction_respond(self_plugin, interaction->interaction, BOTHOST_RESPOND_DEFER_UPDATE, BOTHOST_STR(""),
                              NULL, NULL, NULL);
}

static void on_echo(void *ud, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)topic;
    size_t prefix = strlen(PROBE_ECHO_PREFIX);
    if (prefix == 0 || payload.len > 4096) {
        host->bus_reply(self_plugin, request, BOTHOST_OK, payload);
        return;
    }
    uint8_t answer[sizeof PROBE_ECHO_PREFIX + 4096];
    memcpy(answer, PROBE_ECHO_PREFIX, prefix);
    if (payload.len > 0) memcpy(answer + prefix, payload.ptr, payload.len);
    host->bus_reply(self_plugin, request, BOTHOST_OK, (bothost_bytes){ answer, prefix + payload.len });
}

static void on_silent(void *ud, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)request; (void)topic; (void)payload; /* never replies: the requester times out */
}

typedef struct {
    probe_state *state;
    char topic[256];
} ask_ctx;

static void on_reply(void *ud, bothost_handle request, bothost_status status, bothost_bytes payload) {
    (void)request;
    ask_ctx *ctx = ud;
    bothost_str topic = { ctx->topic, strlen(ctx->topic) };
    trace(ctx->state, "reply", topic, status, payload, 1);
}

static void on_ask(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub; (void)topic;
    probe_state *s = ud;
    char line[2048];
    size_t n = payload.len < sizeof line - 1 ? payload.len : sizeof line - 1;
    memcpy(line, payload.ptr, n);
    line[n] = 0;
    char *space1 = strchr(line, ' ');
    if (!space1) return;
    *space1 = 0;
    char *rest = space1 + 1;
    char *space2 = strchr(rest, ' ');
    const char *body = "";
    if (space2) { *space2 = 0; body = space2 + 1; }
    ask_ctx *ctx = calloc(1, sizeof *ctx);
    ctx->state = s;
    snprintf(ctx->topic, sizeof ctx->topic, "%.255s", line);
    bothost_handle h;
    bothost_str t = { line, strlen(line) };
    bothost_bytes b = { (const uint8_t *)body, strlen(body) };
    /* The host frees ctx with free() exactly once, whatever happens — even if this call fails. */
    if (host->bus_request(self_plugin, t, b, (uint32_t)strtoul(rest, NULL, 10), on_reply, ctx, free, &h) != BOTHOST_OK) {
        bothost_str err = host->last_error();
        bothost_bytes eb = { (const uint8_t *)err.ptr, err.len };
        trace(s, "request-failed", t, 0, eb, 0);
    }
}

static void on_origin(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub; (void)payload;
    probe_state *s = ud;
    bothost_bus_message_info info = { .struct_size = sizeof info };
    if (!BOTHOST_API_HAS(host, bus_message_info) || host->bus_message_info(self_plugin, &info) != BOTHOST_OK) return;
    fixture_trace(s->trace, "origin %.*s %d %lld %.*s\n", (int)topic.len, topic.ptr, (int)info.shard, (long long)info.sequence,
                  (int)info.publisher.len, info.publisher.ptr ? info.publisher.ptr : "");
}

static void on_log(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)ud;
    (void)sub;
    (void)topic;
    bothost_str text = { (const char *)payload.ptr, payload.len };
    host->log(self_plugin, BOTHOST_LOG_WARNING, text);
}

static void on_publish(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub;
    (void)topic;
    const char *text = (const char *)payload.ptr;
    const char *space = memchr(text, ' ', payload.len);
    size_t topic_len = space ? (size_t)(space - text) : payload.len;
    bothost_str target = { text, topic_len };
    bothost_bytes body = { space ? (const uint8_t *)space + 1 : NULL, space ? payload.len - topic_len - 1 : 0 };
    bothost_status status = host->bus_publish(self_plugin, target, body);
    bothost_str error = status == BOTHOST_OK ? BOTHOST_STR("") : host->last_error();
    trace(ud, "published", target, status, (bothost_bytes){ (const uint8_t *)error.ptr, error.len }, 1);
}

static void on_block(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub;
    char text[1100] = {0};
    if (payload.len > 0) memcpy(text, payload.ptr, payload.len < sizeof text - 1 ? payload.len : sizeof text - 1);
    char *release = text;
    long ms = strtol(text, &release, 10);
    while (*release == ' ') release++;
    /* Said before blocking, so a test knows the executor is busy from now on. */
    trace(ud, "blocking", topic, ms, (bothost_bytes){0}, 1);
    if (*release == '\0') {
        fixture_sleep_ms(ms); /* on purpose: this blocks the executor past a callback budget */
        return;
    }
    fixture_wait_for_file(release, ms);
}

static bothost_handle pending_http;

static void on_http_done(void *ud, bothost_handle request, const bothost_http_response *response) {
    (void)request;
    probe_state *s = ud;
    bothost_str marker = { "-", 1 };
    for (size_t i = 0; i < response->header_count; i++) {
        bothost_header h = response->headers[i];
        if (h.name.len == 7 && strncasecmp(h.name.ptr, "x-probe", 7) == 0) marker = h.value;
    }
    fixture_trace(s->trace, "http %d %u %.*s %.*s\n", (int)response->status, response->http_status, (int)marker.len,
                  marker.ptr, (int)response->body.len, response->body.ptr ? (const char *)response->body.ptr : "");
}

static void on_http(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub; (void)topic;
    probe_state *s = ud;
    char line[1024];
    size_t n = payload.len < sizeof line - 1 ? payload.len : sizeof line - 1;
    memcpy(line, payload.ptr, n);
    line[n] = 0;
    char *space = strchr(line, ' ');
    if (!space) return;
    *space = 0;
    bothost_header header = { BOTHOST_STR("X-Asked-By"), BOTHOST_STR("probe") };
    bothost_http_request request = {
        .struct_size = sizeof request,
        .method = BOTHOST_STR("GET"),
        .url = { space + 1, strlen(space + 1) },
        .headers = &header,
        .header_count = 1,
        .timeout_ms = (uint32_t)strtoul(line, NULL, 10),
    };
    if (host->http_request(self_plugin, &request, on_http_done, s, NULL, &pending_http) != BOTHOST_OK) {
        bothost_str err = host->last_error();
        bothost_bytes eb = { (const uint8_t *)err.ptr, err.len };
        trace(s, "http-failed", request.url, 0, eb, 0);
    }
}

static void on_http_cancel(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)sub; (void)topic; (void)payload;
    host->unregister(self_plugin, pending_http);
}

static bothost_status probe_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    self_plugin = self;
    bothost_buffer config = {0};
    if (host->config_get(self, &config) != BOTHOST_OK) { *out_reason = BOTHOST_STR("config_get failed"); return BOTHOST_E_PLUGIN; }
    probe_state *s = calloc(1, sizeof *s);
    /* Every key but traceFile is optional: a key that is absent leaves its buffer empty. */
    bothost_str json = { (const char *)config.ptr, config.len };
    int ok = host->json_get_string(json, BOTHOST_STR("/traceFile"), s->trace, sizeof s->trace, NULL) == BOTHOST_OK;
    host->json_get_string(json, BOTHOST_STR("/subscribe"), s->subscribe, sizeof s->subscribe, NULL);
    host->json_get_string(json, BOTHOST_STR("/origin"), s->origin, sizeof s->origin, NULL);
    host->json_get_string(json, BOTHOST_STR("/components"), s->components, sizeof s->components, NULL);
    host->json_get_string(json, BOTHOST_STR("/startRequest"), s->start_request, sizeof s->start_request, NULL);
    host->json_get_string(json, BOTHOST_STR("/blockOn"), s->block_on, sizeof s->block_on, NULL);
    host->json_get_string(json, BOTHOST_STR("/timers"), s->timers, sizeof s->timers, NULL);
    host->json_get_string(json, BOTHOST_STR("/serve"), s->serve, sizeof s->serve, NULL);
    host->json_get_string(json, BOTHOST_STR("/command"), s->command, sizeof s->command, NULL);
    char sizes[8] = {0};
    host->json_get_string(json, BOTHOST_STR("/sizes"), sizes, sizeof sizes, NULL);
    s->sizes = sizes[0] == '1';
    char env_check[128] = {0};
    host->json_get_string(json, BOTHOST_STR("/envCheck"), env_check, sizeof env_check, NULL);
    host->free(config.ptr);
    if (!ok) { free(s); *out_reason = BOTHOST_STR("config needs \"traceFile\""); return BOTHOST_E_PLUGIN; }
    if (env_check[0]) {
        const char *value = getenv(env_check);
        const char *verdict = value && value[0] ? "set" : "unset";
        bothost_bytes word = { (const uint8_t *)verdict, strlen(verdict) };
        bothost_str name = { env_check, strlen(env_check) };
        trace(s, "env", name, 0, word, 0);
    }
    *out_state = s;
    return BOTHOST_OK;
}

static void on_start_request(void *user_data, bothost_handle request, bothost_status status, uint32_t http_status,
                             bothost_bytes body) {
    (void)request;
    (void)body;
    char text[16];
    snprintf(text, sizeof text, "%u", http_status);
    bothost_bytes code = { (const uint8_t *)text, strlen(text) };
    trace(user_data, "startrequest", BOTHOST_STR("GET"), status, code, 1);
}

static bothost_status probe_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    probe_state *s = state;
    bothost_handle h;
    if (s->start_request[0]) {
        bothost_str path = { s->start_request, strlen(s->start_request) };
        bothost_bytes none = { NULL, 0 };
        bothost_status status = host->discord_request(self, BOTHOST_STR("GET"), path, none, BOTHOST_STR(""),
                                                      on_start_request, s, NULL, &h);
        if (status != BOTHOST_OK) {
            bothost_str error = host->last_error();
            bothost_bytes text = { (const uint8_t *)error.ptr, error.len };
            trace(s, "startrequest-refused", BOTHOST_STR("GET"), status, text, 1);
        }
    }
    char patterns[1024];
    snprintf(patterns, sizeof patterns, "%s", s->subscribe);
    /* Split by hand: strtok keeps its place in one process-wide static, and other plugins start
       on other threads at the same time. */
    for (char *p = patterns, *comma; *p; p = comma ? comma + 1 : p + strlen(p)) {
        comma = strchr(p, ',');
        if (comma) *comma = 0;
        if (!*p) continue;
        bothost_str pattern = { p, strlen(p) };
        if (host->bus_subscribe(self, pattern, on_message, s, NULL, &h) != BOTHOST_OK) {
            *out_reason = host->last_error();
            return BOTHOST_E_PLUGIN;
        }
    }
    if (s->origin[0]) {
        bothost_str pattern = { s->origin, strlen(s->origin) };
        if (host->bus_subscribe(self, pattern, on_origin, s, NULL, &h) != BOTHOST_OK) {
            *out_reason = host->last_error();
            return BOTHOST_E_PLUGIN;
        }
    }
    if (s->components[0]) {
        bothost_str prefix = { s->components, strlen(s->components) };
        if (!BOTHOST_API_HAS(host, component_register) ||
            host->component_register(self, prefix, on_component, s, NULL, &h) != BOTHOST_OK) {
            *out_reason = host->last_error();
            return BOTHOST_E_PLUGIN;
        }
    }
    if (s->block_on[0]) {
        bothost_str pattern = { s->block_on, strlen(s->block_on) };
        if (host->bus_subscribe(self, pattern, on_block, s, NULL, &h) != BOTHOST_OK) {
            *out_reason = host->last_error();
            return BOTHOST_E_PLUGIN;
        }
    }
    if (s->serve[0]) {
        bothost_str topic = { s->serve, strlen(s->serve) };
        trace_status(s, "serve", topic, host->bus_serve(self, topic, on_echo, s, NULL, &h));
    }
    if (s->command[0]) {
        char definition[256];
        snprintf(definition, sizeof definition, "{\"name\":\"%s\",\"description\":\"A probe's command\"}", s->command);
        bothost_str name = { s->command, strlen(s->command) };
        trace_status(s, "command", name,
                     host->command_register(self, (bothost_str){ definition, strlen(definition) }, on_component, s, NULL, &h));
    }
    if (s->timers[0]) {
        char *rest = NULL;
        long count = strtol(s->timers, &rest, 10);
        uint64_t interval = (uint64_t)strtoull(rest, NULL, 10);
        bothost_status refused = BOTHOST_OK;
        s->timer_count = count;
        long started = 0;
        while (started < count && (refused = host->timer_start(self, interval, interval, on_tick, s, NULL, &h)) == BOTHOST_OK) started++;
        bothost_str error = refused == BOTHOST_OK ? BOTHOST_STR("") : host->last_error();
        fixture_trace(s->trace, "timers %ld %d %.*s\n", started, (int)refused, (int)error.len, error.ptr ? error.ptr : "");
    }
    if (PROBE_SERVES && (host->bus_serve(self, BOTHOST_STR("probe.echo"), on_echo, s, NULL, &h) != BOTHOST_OK ||
                         host->bus_serve(self, BOTHOST_STR("probe.silent"), on_silent, s, NULL, &h) != BOTHOST_OK)) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    if (host->bus_subscribe(self, BOTHOST_STR("probe.ask"), on_ask, s, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("probe.block"), on_block, s, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("probe.http"), on_http, s, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("probe.http.cancel"), on_http_cancel, s, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("probe.log"), on_log, s, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("probe.publish"), on_publish, s, NULL, &h) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static void probe_stop(bothost_plugin *self, void *state) {
    (void)self;
    free(state);
}

#ifdef PROBE_OWNS
static const char *const probe_owned_names[] = { PROBE_OWNS, NULL };
#endif

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = PROBE_NAME,
    .version = PROBE_VERSION,
    .description = "Records what reaches it through the ABI (tests)",
    .init = probe_init,
    .start = probe_start,
    .stop = probe_stop,
#ifdef PROBE_OWNS
    .owned_names = probe_owned_names,
#endif
};

FIXTURE_ENTRY(descriptor)
