/*
 * start_fails (plugin name "nostart") — init succeeds, start refuses.
 *
 * init allocates a small state; start registers nothing and returns BOTHOST_E_PLUGIN with the reason
 * "nostart cannot start: its upstream service is unreachable (test fixture)". The host must refuse
 * the plugin as "startFailed" with that reason, and — because a failed start stops the plugin
 * again — call stop, which frees the state and logs "nostart stopped after its failed start".
 * No config.
 */
#include "fixture_support.h"

#include <stdlib.h>

typedef struct nostart_state {
    bothost_plugin *self;
} nostart_state;

static bothost_status nostart_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    nostart_state *s = malloc(sizeof *s);
    if (s == NULL) {
        *out_reason = BOTHOST_STR("out of memory");
        return BOTHOST_E_PLUGIN;
    }
    s->self = self;
    *out_state = s;
    return BOTHOST_OK;
}

static bothost_status nostart_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    (void)state;
    host->log(self, BOTHOST_LOG_ERROR, BOTHOST_STR("refusing to start on purpose (test fixture)"));
    *out_reason = BOTHOST_STR("nostart cannot start: its upstream service is unreachable (test fixture)");
    return BOTHOST_E_PLUGIN;
}

static void nostart_stop(bothost_plugin *self, void *state) {
    free(state);
    host->log(self, BOTHOST_LOG_INFO, BOTHOST_STR("nostart stopped after its failed start"));
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "nostart",
    .version = "1.0.0",
    .description = "Always fails start (test fixture)",
    .init = nostart_init,
    .start = nostart_start,
    .stop = nostart_stop,
};

FIXTURE_ENTRY(descriptor)
