/*
 * overrun — a plugin whose callback runs longer than the host's callback budget.
 *
 * It serves the request topic "overrun.sleep": the payload is an ASCII integer N (milliseconds);
 * the handler sleeps N ms on the plugin's executor (blocking it — exactly what a plugin must not
 * do), then replies BOTHOST_OK with the payload "done". A payload that is not a non-negative
 * integer up to 600000 gets the reply status BOTHOST_E_PLUGIN with a payload saying so.
 * No config.
 *
 * The host should report the overrun (naming the plugin "overrun") and still deliver the reply.
 */
#include "fixture_support.h"

#include <stdint.h>

typedef struct overrun_state {
    bothost_plugin *self;
} overrun_state;

static overrun_state the_state; /* reset in init */

/* Parses the whole payload as a decimal number in [0, 600000]. */
static int parse_ms(bothost_bytes payload, uint64_t *out) {
    uint64_t value = 0;
    if (payload.len == 0 || payload.ptr == NULL) return 0;
    for (size_t i = 0; i < payload.len; i++) {
        if (payload.ptr[i] < '0' || payload.ptr[i] > '9') return 0;
        value = value * 10 + (uint64_t)(payload.ptr[i] - '0');
        if (value > 600000) return 0;
    }
    *out = value;
    return 1;
}

static void on_sleep(void *user_data, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)topic;
    overrun_state *s = user_data;
    uint64_t ms;
    bothost_status st;
    if (!parse_ms(payload, &ms)) {
        static const char why[] = "payload must be a whole number of milliseconds (0-600000)";
        st = host->bus_reply(s->self, request, BOTHOST_E_PLUGIN, (bothost_bytes){ (const uint8_t *)why, sizeof why - 1 });
    } else {
        fixture_sleep_ms((int64_t)ms); /* deliberately blocks the executor: the overrun is what is tested, not a wait */
        st = host->bus_reply(s->self, request, BOTHOST_OK, (bothost_bytes){ (const uint8_t *)"done", 4 });
    }
    if (st != BOTHOST_OK) fixture_log_failure(s->self, "bus_reply", st);
}

static bothost_status overrun_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)out_reason;
    the_state.self = self;
    *out_state = &the_state;
    return BOTHOST_OK;
}

static bothost_status overrun_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    bothost_handle handle;
    /* user_data is static, so nothing to free: user_data_free is NULL. */
    if (host->bus_serve(self, BOTHOST_STR("overrun.sleep"), on_sleep, state, NULL, &handle) != BOTHOST_OK) {
        *out_reason = host->last_error(); /* the host copies it as start returns */
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "overrun",
    .version = "1.0.0",
    .description = "Serves overrun.sleep, which blocks for the requested milliseconds (test fixture)",
    .init = overrun_init,
    .start = overrun_start,
};

FIXTURE_ENTRY(descriptor)
