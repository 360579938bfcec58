/*
 * requires_minor_0 — built with today's header but requiring only ABI minor 0
 * (BOTHOST_REQUIRED_MINOR), so it loads on every 1.x host and treats every newer slot as optional.
 *
 * Name "oldhost". On start it publishes "oldhost.slots" →
 *   "minor=<host minor> discord_request=<0|1> bus_message_info=<0|1> component_register=<0|1> voice_join=<0|1>"
 * (BOTHOST_API_HAS for each slot added after 1.0). Then:
 *   "oldhost.in" → "oldhost.origin" with "shard=<shard> publisher=<name>" from bus_message_info
 *       (minor 1), or "origin unknown: the host has no bus_message_info" where it is absent
 *   "oldhost.announce" → posts the payload to Discord with discord_request (minor 1) when the host
 *       has it and it accepts the call; otherwise publishes "oldhost.fallback" → "<payload> (<why>)":
 *       the documented degradation, the bus instead of Discord.
 */
#define BOTHOST_REQUIRED_MINOR 0
#include "bothost_plugin.h"

#include <stdio.h>
#include <string.h>

static const bothost_host_api *host;

static void publish(bothost_plugin *self, const char *topic, const char *text, int n, size_t room) {
    if (n < 0) return;
    bothost_str t = { topic, strlen(topic) };
    bothost_bytes payload = { (const uint8_t *)text, (size_t)n < room ? (size_t)n : room - 1 };
    host->bus_publish(self, t, payload);
}

static void on_in(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    bothost_plugin *self = ud;
    (void)sub; (void)topic; (void)payload;
    char text[256];
    int n;
    if (BOTHOST_API_HAS(host, bus_message_info)) {
        bothost_bus_message_info info = { sizeof(bothost_bus_message_info), 0, 0, { NULL, 0 } };
        host->bus_message_info(self, &info);
        n = snprintf(text, sizeof text, "shard=%d publisher=%.*s", (int)info.shard, (int)info.publisher.len,
                     info.publisher.ptr ? info.publisher.ptr : "");
    } else {
        n = snprintf(text, sizeof text, "origin unknown: the host has no bus_message_info");
    }
    publish(self, "oldhost.origin", text, n, sizeof text);
}

static void on_discord(void *ud, bothost_handle request, bothost_status status, uint32_t http_status, bothost_bytes body) {
    (void)ud; (void)request; (void)status; (void)http_status; (void)body;
}

static void on_announce(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    bothost_plugin *self = ud;
    (void)sub; (void)topic;
    const char *why = "the host has no discord_request";
    if (BOTHOST_API_HAS(host, discord_request)) {
        bothost_handle call;
        if (host->discord_request(self, BOTHOST_STR("POST"), BOTHOST_STR("/channels/1/messages"), payload,
                                  BOTHOST_STR(""), on_discord, NULL, NULL, &call) == BOTHOST_OK) return;
        why = "discord_request failed";
    }
    char text[512];
    int n = snprintf(text, sizeof text, "%.*s (%s)", (int)payload.len, (const char *)payload.ptr, why);
    publish(self, "oldhost.fallback", text, n, sizeof text);
}

static bothost_status oldhost_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    (void)state;
    char text[256];
    int n = snprintf(text, sizeof text, "minor=%u discord_request=%d bus_message_info=%d component_register=%d voice_join=%d",
                     (unsigned)host->abi_minor, BOTHOST_API_HAS(host, discord_request) ? 1 : 0,
                     BOTHOST_API_HAS(host, bus_message_info) ? 1 : 0, BOTHOST_API_HAS(host, component_register) ? 1 : 0,
                     BOTHOST_API_HAS(host, voice_join) ? 1 : 0);
    bothost_handle h;
    if (host->bus_subscribe(self, BOTHOST_STR("oldhost.in"), on_in, self, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("oldhost.announce"), on_announce, self, NULL, &h) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    publish(self, "oldhost.slots", text, n, sizeof text);
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_REQUIRED_MINOR,
    .name = "oldhost",
    .version = "1.0.0",
    .description = "Requires ABI 1.0, uses newer calls when the host has them (test fixture)",
    .start = oldhost_start,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
