/*
 * rl_requester — the RateLimit bench's client. Sends `ratelimit.acquire` requests over the bus and
 * times each one in C, from just before host->bus_request to the start of its reply callback
 * (CLOCK_MONOTONIC). The bench drives it through the bench_rl_* functions (a measuring back door,
 * not part of the ABI).
 *
 * A run keeps `window` requests in flight: each reply callback sends the next request until
 * `count` have been sent. Request i asks for key "user:<offset + i % key_space>" on the limiter
 * named "bench"; window 1 gives unqueued round-trip latency, a larger window the service rate.
 * The topic is ratelimit.acquire, or rl_echo.acquire (rl_echo.c) for the host's own floor.
 */
#define _POSIX_C_SOURCE 200809L
#include "bothost_plugin.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const bothost_host_api *host;
static bothost_plugin *self_plugin;

/* The current run. Written by bench_rl_run before the first request, then only from reply callbacks. */
static uint64_t run_count, run_key_space, run_key_offset;
static char run_topic[128];
static uint64_t run_sent;
static uint64_t *latencies;
static _Atomic uint64_t run_done, run_failed;

/* The last answer of bench_rl_ask. */
static char asked[4096];
static _Atomic int asked_done;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_reply(void *ud, bothost_handle request, bothost_status status, bothost_bytes payload);

/* A request in flight: its index and send time. The `window` slots are recycled through a free
 * stack (touched only on the executor), so a run allocates nothing per request. */
typedef struct { uint64_t index; uint64_t sent_ns; } pending;
static pending *slots;
static pending **free_slots;
static uint64_t free_count;

/* Sends the next request of the run, if any is left and a slot is free. A refused send is counted
 * and the next one tried, so a run always ends. */
static void send_next(void) {
    while (run_sent < run_count && free_count > 0) {
        uint64_t index = run_sent++;
        char body[128];
        int len = snprintf(body, sizeof body, "{\"key\":\"user:%llu\",\"limiter\":\"bench\"}",
                           (unsigned long long)(run_key_offset + index % run_key_space));
        pending *slot = free_slots[--free_count];
        slot->index = index;
        slot->sent_ns = now_ns();
        bothost_handle h;
        bothost_bytes bytes = { (const uint8_t *)body, (size_t)len };
        bothost_str topic = { run_topic, strlen(run_topic) };
        /* 5 s: the timeout PluginKit's requests use by default. */
        if (host->bus_request(self_plugin, topic, bytes, 5000, on_reply, slot, NULL, &h) == BOTHOST_OK) return;
        free_slots[free_count++] = slot;
        atomic_fetch_add(&run_failed, 1);
        atomic_fetch_add(&run_done, 1);
    }
}

static void on_reply(void *ud, bothost_handle request, bothost_status status, bothost_bytes payload) {
    (void)request;
    uint64_t received = now_ns();
    pending *slot = ud;
    if (latencies) latencies[slot->index] = received - slot->sent_ns;
    /* Any answer but an OK reply shaped like ratelimit.acquire's counts as a failure. */
    if (status != BOTHOST_OK || payload.len < 11 || memcmp(payload.ptr, "{\"allowed\":", 11) != 0) {
        atomic_fetch_add(&run_failed, 1);
    }
    free_slots[free_count++] = slot;
    atomic_fetch_add(&run_done, 1);
    send_next();
}

static uint64_t run_window;

static void open_window(void *ud) {
    (void)ud;
    for (uint64_t i = 0; i < run_window && i < run_count; i++) send_next();
}

/* Starts a run (call when the previous one is done). Latencies are kept when `record` is set. */
BOTHOST_EXPORT int bench_rl_run(const char *topic, uint64_t count, uint64_t key_space, uint64_t key_offset,
                                uint64_t window, int record) {
    if (window == 0) window = 1;
    snprintf(run_topic, sizeof run_topic, "%s", topic);
    free(latencies);
    free(slots);
    free(free_slots);
    latencies = record ? calloc(count, sizeof *latencies) : NULL;
    slots = calloc(window, sizeof *slots);
    free_slots = calloc(window, sizeof *free_slots);
    if (!slots || !free_slots || (record && !latencies)) return -1;
    for (free_count = 0; free_count < window; free_count++) free_slots[free_count] = &slots[free_count];
    run_count = count;
    run_key_space = key_space ? key_space : 1;
    run_key_offset = key_offset;
    run_sent = 0;
    atomic_store(&run_done, 0);
    atomic_store(&run_failed, 0);
    run_window = window;
    /* Every send runs on this plugin's executor (replies send the next one there too), so run_sent
     * needs no lock: the window is opened by a posted task rather than from the bench's thread. */
    return host->post(self_plugin, open_window, NULL) == BOTHOST_OK ? 0 : -1;
}

BOTHOST_EXPORT uint64_t bench_rl_done(void) { return atomic_load(&run_done); }
BOTHOST_EXPORT uint64_t bench_rl_failed(void) { return atomic_load(&run_failed); }

BOTHOST_EXPORT const uint64_t *bench_rl_latencies(void) { return latencies; }

static void on_asked(void *ud, bothost_handle request, bothost_status status, bothost_bytes payload) {
    (void)ud; (void)request;
    snprintf(asked, sizeof asked, "%d %.*s", (int)status, (int)payload.len, payload.ptr ? (const char *)payload.ptr : "");
    atomic_store(&asked_done, 1);
}

/* Sends one request; bench_rl_answer() returns "<status> <payload>" once it arrived, else NULL. */
BOTHOST_EXPORT int bench_rl_ask(const char *topic, const char *payload) {
    atomic_store(&asked_done, 0);
    bothost_handle h;
    bothost_str t = { topic, strlen(topic) };
    bothost_bytes b = { (const uint8_t *)payload, strlen(payload) };
    return host->bus_request(self_plugin, t, b, 5000, on_asked, NULL, NULL, &h);
}

BOTHOST_EXPORT const char *bench_rl_answer(void) { return atomic_load(&asked_done) ? asked : NULL; }

static bothost_status rl_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)out_state; (void)out_reason;
    self_plugin = self;
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "rl_requester",
    .version = "1.0.0",
    .description = "Times ratelimit.acquire requests (benchmark)",
    .init = rl_init,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
