/*
 * slow — a test plugin whose /slow command answers after a delay, to exercise the host's
 * automatic deferral. Options: delay (ms, on the host clock), public (bool: reply visibly).
 */
#include "bothost_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const bothost_host_api *host;
static bothost_plugin *self_plugin;

typedef struct {
    bothost_handle interaction;
    long delay;
    int public_reply;
} pending_reply;

/* Finds `"name":"<option>"` in the interaction JSON and returns the text after the next "value": */
static const char *option_value(const char *json, size_t len, const char *option) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"name\":\"%s\"", option);
    const char *end = json + len;
    size_t n = strlen(needle);
    for (const char *p = json; p + n <= end; p++) {
        if (memcmp(p, needle, n) != 0) continue;
        const char *v = strstr(p, "\"value\":");
        return v && v < end ? v + 8 : NULL;
    }
    return NULL;
}

static void answer(void *ud, bothost_handle timer) {
    (void)timer;
    pending_reply *r = ud;
    char body[128];
    int n = snprintf(body, sizeof body, "{\"content\":\"done after %ld ms\"}", r->delay);
    bothost_str message = { body, (size_t)n };
    host->interaction_reply(self_plugin, r->interaction, message, r->public_reply ? 0 : BOTHOST_REPLY_EPHEMERAL,
                            NULL, NULL, NULL);
}

static void on_slow(void *ud, const bothost_interaction *ix) {
    (void)ud;
    pending_reply *r = calloc(1, sizeof *r);
    r->interaction = ix->interaction;
    const char *delay = option_value(ix->json.ptr, ix->json.len, "delay");
    const char *visible = option_value(ix->json.ptr, ix->json.len, "public");
    r->delay = delay ? strtol(delay, NULL, 10) : 0;
    r->public_reply = visible && strncmp(visible, "true", 4) == 0;
    bothost_handle timer;
    host->timer_start(self_plugin, (uint64_t)r->delay, 0, answer, r, free, &timer);
}

static bothost_status slow_init(bothost_plugin *self, void **state, bothost_str *reason) {
    (void)state; (void)reason;
    self_plugin = self;
    return BOTHOST_OK;
}

static bothost_status slow_start(bothost_plugin *self, void *state, bothost_str *reason) {
    (void)state;
    bothost_handle h;
    bothost_str definition = BOTHOST_STR(
        "{\"name\":\"slow\",\"description\":\"Answers after a delay\",\"options\":["
        "{\"type\":4,\"name\":\"delay\",\"description\":\"milliseconds\"},"
        "{\"type\":5,\"name\":\"public\",\"description\":\"reply visibly\"}]}");
    if (host->command_register(self, definition, on_slow, NULL, NULL, &h) != BOTHOST_OK) {
        *reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "slow",
    .version = "1.0.0",
    .description = "Answers /slow after a delay (tests)",
    .init = slow_init,
    .start = slow_start,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
