/*
 * init_fails (plugin name "broken") — loads fine, then refuses in init.
 *
 * init returns BOTHOST_E_PLUGIN with the reason "missing required config key apiUrl", whatever the
 * config. The host must refuse the plugin as "initFailed" with that reason in the cause, never call
 * start or stop, and keep the other plugins running. init allocates nothing, so there is nothing to
 * leak. start and stop are present only to make a wrong call visible in the host log.
 */
#include "fixture_support.h"

#include <stddef.h>

static bothost_status broken_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)self;
    *out_state = NULL;
    /* A string literal is fine: the host copies the reason when init returns. */
    *out_reason = BOTHOST_STR("missing required config key apiUrl");
    return BOTHOST_E_PLUGIN;
}

static bothost_status broken_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    (void)state;
    host->log(self, BOTHOST_LOG_ERROR, BOTHOST_STR("BUG: start called although init failed"));
    *out_reason = BOTHOST_STR("start must never run after a failed init");
    return BOTHOST_E_PLUGIN;
}

static void broken_stop(bothost_plugin *self, void *state) {
    (void)state;
    host->log(self, BOTHOST_LOG_ERROR, BOTHOST_STR("BUG: stop called although init failed"));
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "broken",
    .version = "1.0.0",
    .description = "Always fails init (test fixture)",
    .init = broken_init,
    .start = broken_start,
    .stop = broken_stop,
};

FIXTURE_ENTRY(descriptor)
