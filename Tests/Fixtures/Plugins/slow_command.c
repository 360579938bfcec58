/*
 * slow — a test plugin whose /slow command answers after a delay, to exercise the host's
 * automatic deferral. Options: delay (ms, on the host clock), public (bool: reply visibly).
 */
#include "fixture_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bothost_plugin *self_plugin;

typedef struct {
    bothost_handle interaction;
    long delay;
    int public_reply;
} pending_reply;

/* The value of the option named `option` as raw JSON ("250", "true"), or an empty slice. */
static bothost_str option_value(bothost_str json, const char *option) {
    size_t count = 0;
    host->json_array_length(json, BOTHOST_STR("/data/options"), &count);
    for (size_t i = 0; i < count; i++) {
        char pointer[48], name[32];
        snprintf(pointer, sizeof pointer, "/data/options/%zu/name", i);
        if (host->json_get_string(json, (bothost_str){ pointer, strlen(pointer) }, name, sizeof name, NULL) != BOTHOST_OK ||
            strcmp(name, option) != 0) continue;
        snprintf(pointer, sizeof pointer, "/data/options/%zu/value", i);
        bothost_str value = { NULL, 0 };
        host->json_get_raw(json, (bothost_str){ pointer, strlen(pointer) }, &value);
        return value;
    }
    return (bothost_str){ NULL, 0 };
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
    int64_t delay = 0;
    int32_t visible = 0;
    bothost_str delay_json = option_value(ix->json, "delay"), visible_json = option_value(ix->json, "public");
    if (delay_json.len > 0) host->json_get_int64(delay_json, BOTHOST_STR(""), &delay);
    if (visible_json.len > 0) host->json_get_bool(visible_json, BOTHOST_STR(""), &visible);
    r->delay = (long)delay;
    r->public_reply = visible;
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
    FIXTURE_DESCRIPTOR_ABI,
    .name = "slow",
    .version = "1.0.0",
    .description = "Answers /slow after a delay (tests)",
    .init = slow_init,
    .start = slow_start,
};

FIXTURE_ENTRY(descriptor)
