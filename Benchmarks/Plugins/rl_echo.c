/*
 * rl_echo — the RateLimit bench's baseline server. Serves rl_echo.acquire and answers every request
 * at once with a fixed ratelimit.acquire-shaped reply, doing no work: a round trip to it is the
 * host's own request/reply cost, against which the ratelimit plugin's share is measured.
 */
#include "bothost_plugin.h"

static const bothost_host_api *host;
static bothost_plugin *self_plugin;

static const char reply[] = "{\"allowed\":true,\"remaining\":999,\"retryAfterMs\":0,\"resetAfterMs\":3600000}";

static void on_request(void *ud, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)topic; (void)payload;
    bothost_bytes body = { (const uint8_t *)reply, sizeof reply - 1 };
    host->bus_reply(self_plugin, request, BOTHOST_OK, body);
}

static bothost_status echo_start(bothost_plugin *self, void *state, bothost_str *reason) {
    (void)state;
    self_plugin = self;
    bothost_handle h;
    if (host->bus_serve(self, BOTHOST_STR("rl_echo.acquire"), on_request, NULL, NULL, &h) != BOTHOST_OK) {
        *reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "rl_echo",
    .version = "1.0.0",
    .description = "Answers rl_echo.acquire at once (benchmark baseline)",
    .start = echo_start,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
