/*
 * sink — the benchmark's subscriber. Counts bus deliveries and, when the payload starts with a
 * CLOCK_MONOTONIC timestamp (8 bytes, ns), records the delivery latency. The bench reads the
 * figures through the bench_sink_* functions (a measuring back door, not part of the ABI) when the
 * sink runs in its process, or over the bus when it runs in a process of its own:
 *
 *   sink.ctl.record  payload: capacity (u64, little-endian): record latencies, 0 stops recording
 *   sink.ctl.report  publishes sink.report: delivered (u64), recorded count (u64), then the latencies
 *
 * Control messages come after every event published before them (one plugin's deliveries keep
 * publish order), so a report counts all of those.
 */
#define _POSIX_C_SOURCE 200809L
#include "bothost_plugin.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const bothost_host_api *host;
static bothost_plugin *self_plugin;
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

static void publish_report(void) {
    size_t size = (2 + latency_count) * sizeof(uint64_t);
    uint64_t *report = malloc(size);
    if (!report) return;
    report[0] = delivered;
    report[1] = latency_count;
    if (latency_count) memcpy(report + 2, latencies, latency_count * sizeof *latencies);
    host->bus_publish(self_plugin, BOTHOST_STR("sink.report"), (bothost_bytes){ (const uint8_t *)report, size });
    free(report);
}

static void on_control(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)ud; (void)sub;
    if (topic.len == 15 && memcmp(topic.ptr, "sink.ctl.record", 15) == 0 && payload.len >= 8) {
        uint64_t capacity;
        memcpy(&capacity, payload.ptr, 8);
        bench_sink_record((size_t)capacity);
    } else if (topic.len == 15 && memcmp(topic.ptr, "sink.ctl.report", 15) == 0) {
        publish_report();
    }
}

static bothost_status sink_start(bothost_plugin *self, void *state, bothost_str *reason) {
    (void)state;
    self_plugin = self;
    bothost_handle h;
    if (host->bus_subscribe(self, BOTHOST_STR("bench.>"), bench_sink_on_message, NULL, NULL, &h) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("sink.ctl.*"), on_control, NULL, NULL, &h) != BOTHOST_OK) {
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
