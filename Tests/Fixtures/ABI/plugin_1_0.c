/*
 * plugin_1_0 — a plugin built from the frozen ABI 1.0 header (bothost_plugin_1_0.h, never edited),
 * as a third party did when 1.0 was current. It must load and work on every 1.x host, forever.
 *
 * Name "legacy10". It uses only 1.0 calls:
 *   start  publishes "legacy10.started" → "<host major>.<host minor> <config JSON>" (config_get)
 *          and starts a one-shot timer of 1000 ms that publishes "legacy10.tick" → "tick"
 *   a message on "legacy10.in" → stores it under "last" (storage_set), reads it back (storage_get)
 *          and publishes "legacy10.out" → "got <payload>"
 *   serves "legacy10.echo" (bus_serve / bus_reply with the payload)
 *   its cleanup hook publishes "legacy10.cleanup" → "bye"
 */
#include "bothost_plugin_1_0.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const bothost_host_api *host;

static void publish(bothost_plugin *self, const char *topic, const char *text, size_t len) {
    bothost_str t = { topic, strlen(topic) };
    bothost_bytes payload = { (const uint8_t *)text, len };
    host->bus_publish(self, t, payload);
}

static void on_in(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    bothost_plugin *self = ud;
    (void)sub; (void)topic;
    if (host->storage_set(self, BOTHOST_STR("last"), payload) != BOTHOST_OK) return;
    bothost_buffer stored = { NULL, 0 };
    if (host->storage_get(self, BOTHOST_STR("last"), &stored) != BOTHOST_OK) return;
    char text[512];
    int n = snprintf(text, sizeof text, "got %.*s", (int)stored.len, (const char *)stored.ptr);
    host->free(stored.ptr);
    if (n > 0) publish(self, "legacy10.out", text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

static void on_echo(void *ud, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)topic;
    host->bus_reply(ud, request, BOTHOST_OK, payload);
}

static void on_tick(void *ud, bothost_handle timer) {
    (void)timer;
    publish(ud, "legacy10.tick", "tick", 4);
}

static void on_cleanup(void *ud) {
    publish(ud, "legacy10.cleanup", "bye", 3);
}

static bothost_status legacy_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    (void)state;
    bothost_buffer config = { NULL, 0 };
    if (host->config_get(self, &config) != BOTHOST_OK) { *out_reason = host->last_error(); return BOTHOST_E_PLUGIN; }
    char text[512];
    int n = snprintf(text, sizeof text, "%u.%u %.*s", (unsigned)host->abi_major, (unsigned)host->abi_minor,
                     (int)config.len, (const char *)config.ptr);
    host->free(config.ptr);
    bothost_handle h;
    if (host->bus_subscribe(self, BOTHOST_STR("legacy10.in"), on_in, self, NULL, &h) != BOTHOST_OK ||
        host->bus_serve(self, BOTHOST_STR("legacy10.echo"), on_echo, self, NULL, &h) != BOTHOST_OK ||
        host->timer_start(self, 1000, 0, on_tick, self, NULL, &h) != BOTHOST_OK ||
        host->cleanup_register(self, on_cleanup, self, NULL, &h) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    publish(self, "legacy10.started", text, n > 0 ? ((size_t)n < sizeof text ? (size_t)n : sizeof text - 1) : 0);
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "legacy10",
    .version = "1.0.0",
    .description = "Built from the frozen ABI 1.0 header (test fixture)",
    .start = legacy_start,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
