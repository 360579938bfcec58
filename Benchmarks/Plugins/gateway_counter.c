/*
 * gateway_counter — the gateway ingest bench's plugin. Counts discord.MESSAGE_CREATE deliveries
 * and their bytes; when it has seen "expect" of them it reports through Discord itself, posting
 * "received <count> events, <bytes> bytes" to "channel" with host->discord_request. The bench
 * runs the host as a separate process and reads that message from the local Discord.
 *
 * If deliveries stop short of "expect" (an event lost, e.g. to a full bus queue during a burst),
 * it reports what it got once nothing has arrived for 2 s, as "received <count> events, <bytes>
 * bytes (stalled short of <expect>)", so the bench prints a figure and the shortfall instead of
 * waiting for a count that never comes.
 *
 * Config: {"expect": 200000, "channel": "2001"}
 */
#include "bothost_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const bothost_host_api *host;
static bothost_plugin *self_plugin;

typedef struct {
    uint64_t expect, count, bytes;
    uint64_t count_at_last_tick, quiet_ticks;
    int reported;
    char channel[32];
} counter_state;

/* The in-process bench reads the count here (a measuring back door, not part of the ABI). */
static volatile uint64_t delivered;
BOTHOST_EXPORT uint64_t bench_gateway_count(void) { return delivered; }

/* The report's outcome goes to the host log: a failed post must not look like a slow host. */
static void on_posted(void *ud, bothost_handle request, bothost_status status, uint32_t http_status, bothost_bytes body) {
    (void)ud; (void)request;
    char line[512];
    int n = snprintf(line, sizeof line, "report posted: status %d, HTTP %u: %.*s", (int)status, http_status,
                     (int)(body.len < 300 ? body.len : 300), (const char *)body.ptr);
    bothost_str text = { line, (size_t)n };
    host->log(self_plugin, status == BOTHOST_OK && http_status < 300 ? BOTHOST_LOG_INFO : BOTHOST_LOG_ERROR, text);
}

static void report(counter_state *s) {
    if (s->reported) return;
    s->reported = 1;
    char body[200], path[96], shortfall[64] = "";
    if (s->count < s->expect) snprintf(shortfall, sizeof shortfall, " (stalled short of %llu)", (unsigned long long)s->expect);
    int n = snprintf(body, sizeof body, "{\"content\":\"received %llu events, %llu bytes%s\"}",
                     (unsigned long long)s->count, (unsigned long long)s->bytes, shortfall);
    int m = snprintf(path, sizeof path, "/channels/%s/messages", s->channel);
    bothost_handle h;
    bothost_str method = BOTHOST_STR("POST"), route = { path, (size_t)m }, reason = { NULL, 0 };
    bothost_bytes json = { (const uint8_t *)body, (size_t)n };
    host->discord_request(self_plugin, method, route, json, reason, on_posted, NULL, NULL, &h);
}

static void on_message(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub; (void)topic;
    counter_state *s = ud;
    s->count++;
    s->bytes += payload.len;
    delivered = s->count;
    if (s->count == 1) host->log(self_plugin, BOTHOST_LOG_INFO, BOTHOST_STR("first MESSAGE_CREATE arrived"));
    if (s->count == s->expect) report(s);
}

/* Every second: two quiet seconds after the first event, short of the count, report what came. */
static void on_tick(void *ud, bothost_handle timer) {
    (void)timer;
    counter_state *s = ud;
    if (s->count == 0 || s->reported) return;
    s->quiet_ticks = s->count == s->count_at_last_tick ? s->quiet_ticks + 1 : 0;
    s->count_at_last_tick = s->count;
    if (s->quiet_ticks >= 2) report(s);
}

static bothost_status counter_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    self_plugin = self;
    bothost_buffer config = {0};
    if (host->config_get(self, &config) != BOTHOST_OK) { *out_reason = BOTHOST_STR("config_get failed"); return BOTHOST_E_PLUGIN; }
    counter_state *s = calloc(1, sizeof *s);
    bothost_str json = { (const char *)config.ptr, config.len };
    int64_t expect = 0;
    host->json_get_int64(json, BOTHOST_STR("/expect"), &expect);
    s->expect = expect > 0 ? (uint64_t)expect : 0;
    host->json_get_string(json, BOTHOST_STR("/channel"), s->channel, sizeof s->channel, NULL);
    host->free(config.ptr);
    if (s->expect == 0) { free(s); *out_reason = BOTHOST_STR("config needs \"expect\""); return BOTHOST_E_PLUGIN; }
    *out_state = s;
    return BOTHOST_OK;
}

static bothost_status counter_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    bothost_handle h;
    if (host->bus_subscribe(self, BOTHOST_STR("discord.MESSAGE_CREATE"), on_message, state, NULL, &h) != BOTHOST_OK ||
        host->timer_start(self, 1000, 1000, on_tick, state, NULL, &h) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static void counter_stop(bothost_plugin *self, void *state) { (void)self; free(state); }

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "gateway_counter",
    .version = "1.0.0",
    .description = "Counts MESSAGE_CREATE dispatches for the gateway ingest bench",
    .gateway_intents = (1u << 9) | (1u << 15), /* GUILD_MESSAGES, MESSAGE_CONTENT */
    .init = counter_init,
    .start = counter_start,
    .stop = counter_stop,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) { host = api; return &descriptor; }
