/*
 * crashable — the isolation bench's plugin that dies on demand. Serves crashable.ping, answering
 * "pong" at once, and dereferences NULL when a message arrives on crashable.crash. In a process
 * of its own it takes only that process down; the bench times how long the host takes to have it
 * answering again.
 */
#include "bothost_plugin.h"

static const bothost_host_api *host;
static bothost_plugin *self_plugin;

static void on_ping(void *ud, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)topic; (void)payload;
    host->bus_reply(self_plugin, request, BOTHOST_OK, (bothost_bytes){ (const uint8_t *)"pong", 4 });
}

static void on_crash(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)sub; (void)topic; (void)payload;
    volatile int *nowhere = 0;
    *nowhere = 1;
}

static bothost_status crashable_start(bothost_plugin *self, void *state, bothost_str *reason) {
    (void)state;
    self_plugin = self;
    bothost_handle h;
    if (host->bus_serve(self, BOTHOST_STR("crashable.ping"), on_ping, NULL, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("crashable.crash"), on_crash, NULL, NULL, &h) != BOTHOST_OK) {
        *reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "crashable",
    .version = "1.0.0",
    .description = "Answers crashable.ping; crashes on crashable.crash (benchmark)",
    .start = crashable_start,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
