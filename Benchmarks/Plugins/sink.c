/*
 * sink — the benchmark's subscriber. Counts bus deliveries and, when the payload starts with a
 * CLOCK_MONOTONIC timestamp (8 bytes, ns), records the delivery latency. The bench reads the
 * figures through the bench_sink_* functions (a measuring back door, not part of the ABI).
 */
#define _POSIX_C_SOURCE 200809L
#include "bothost_plugin.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const bothost_host_api *host;
static volatile uint64_t delivered;
static uint64_t *latencies;
static size_t latency_capacity, latency_count;

BOTHOST_EXPORT void bench_sink_on_message(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)sub; (void)topic;
    delivered++;
    if (latencies && payload.len >= 8 && latency_count < latency_capacity) {
        uint64_t sent;
        memcpy(&sent, payload.ptr, 8);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
        latencies[latency_count++] = now - sent;
    }
}

BOTHOST_EXPORT uint64_t bench_sink_delivered(void) { return delivered; }

BOTHOST_EXPORT void bench_sink_record(size_t capacity) {
    free(latencies);
    latencies = capacity ? calloc(capacity, sizeof *latencies) : NULL;
    latency_capacity = capacity;
    latency_count = 0;
}

BOTHOST_EXPORT const uint64_t *bench_sink_latencies(size_t *count) {
    *count = latency_count;
    return latencies;
}

static bothost_status sink_start(bothost_plugin *self, void *state, bothost_str *reason) {
    (void)state;
    bothost_handle h;
    if (host->bus_subscribe(self, BOTHOST_STR("bench.>"), bench_sink_on_message, NULL, NULL, &h) != BOTHOST_OK) {
        *reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "sink",
    .version = "1.0.0",
    .description = "Counts bus deliveries (benchmark)",
    .start = sink_start,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
