/*
 * jsonreader — drives the json_* host calls (ABI minor 4) through the real table.
 *
 * Subscribes to "jsonreader.read": the payload is "<call> <pointer>\n<json>", where <call> is one of
 *   string            json_get_string into a 256-byte buffer
 *   string4           json_get_string into a 4-byte buffer (too small for most strings)
 *   stringlen         json_get_string with out NULL and out_size 0 (asks for the length)
 *   int64 double bool raw length    the other calls
 * and the pointer runs to the newline. Each read publishes one line on "jsonreader.result", in order:
 *   "<status> <value>"      after BOTHOST_OK: the string, integer, %.17g double, 0/1, raw slice or
 *                           count; for strings "<status> <out_len> <text>"
 *   "<status> <last_error>" after a failure (string calls: "<status> <out_len> <text> | <last_error>")
 */
#include "fixture_support.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bothost_plugin *self_plugin;

static void reply(const char *text, size_t len) {
    host->bus_publish(self_plugin, BOTHOST_STR("jsonreader.result"), (bothost_bytes){ (const uint8_t *)text, len });
}

static void on_read(void *user_data, bothost_handle subscription, bothost_str topic, bothost_bytes payload) {
    (void)user_data;
    (void)subscription;
    (void)topic;
    const char *text = (const char *)payload.ptr;
    const char *space = payload.len > 0 ? memchr(text, ' ', payload.len) : NULL;
    const char *newline = space != NULL ? memchr(space, '\n', payload.len - (size_t)(space - text)) : NULL;
    if (newline == NULL) {
        reply("bad request", 11);
        return;
    }
    char call[16] = { 0 };
    memcpy(call, text, (size_t)(space - text) < sizeof call - 1 ? (size_t)(space - text) : sizeof call - 1);
    bothost_str pointer = { space + 1, (size_t)(newline - space - 1) };
    bothost_str json = { newline + 1, payload.len - (size_t)(newline + 1 - text) };

    char out[512];
    int n = 0;
    bothost_status st;
    if (strncmp(call, "string", 6) == 0) {
        char value[256] = "untouched";
        size_t value_len = 0;
        size_t size = strcmp(call, "string4") == 0 ? 4 : sizeof value;
        if (strcmp(call, "stringlen") == 0) {
            st = host->json_get_string(json, pointer, NULL, 0, &value_len);
        } else {
            st = host->json_get_string(json, pointer, value, size, &value_len);
        }
        n = snprintf(out, sizeof out, "%d %zu %s", (int)st, value_len, value);
    } else if (strcmp(call, "int64") == 0) {
        int64_t value = 0;
        st = host->json_get_int64(json, pointer, &value);
        n = snprintf(out, sizeof out, "%d %" PRId64, (int)st, value);
    } else if (strcmp(call, "double") == 0) {
        double value = 0;
        st = host->json_get_double(json, pointer, &value);
        n = snprintf(out, sizeof out, "%d %.17g", (int)st, value);
    } else if (strcmp(call, "bool") == 0) {
        int32_t value = -1;
        st = host->json_get_bool(json, pointer, &value);
        n = snprintf(out, sizeof out, "%d %d", (int)st, (int)value);
    } else if (strcmp(call, "raw") == 0) {
        bothost_str value = { NULL, 0 };
        st = host->json_get_raw(json, pointer, &value);
        /* The slice lies inside the payload itself. */
        int inside = value.ptr == NULL || (value.ptr >= json.ptr && value.ptr + value.len <= json.ptr + json.len);
        n = snprintf(out, sizeof out, "%d %.*s%s", (int)st, (int)value.len, value.ptr != NULL ? value.ptr : "",
                     inside ? "" : " (NOT A SLICE OF THE INPUT)");
    } else if (strcmp(call, "length") == 0) {
        size_t value = 0;
        st = host->json_array_length(json, pointer, &value);
        n = snprintf(out, sizeof out, "%d %zu", (int)st, value);
    } else {
        reply("unknown call", 12);
        return;
    }
    if (st != BOTHOST_OK) {
        bothost_str error = host->last_error();
        n += snprintf(out + n, sizeof out - (size_t)n, " | %.*s", (int)(error.len > 200 ? 200 : error.len),
                      error.ptr != NULL ? error.ptr : "");
    }
    reply(out, n < (int)sizeof out ? (size_t)n : sizeof out - 1);
}

static bothost_status reader_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    (void)state;
    bothost_handle subscription;
    self_plugin = self;
    if (host->bus_subscribe(self, BOTHOST_STR("jsonreader.read"), on_read, NULL, NULL, &subscription) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_REQUIRED_MINOR,
    .name = "jsonreader",
    .version = "1.0.0",
    .description = "Answers json_* reads over the bus (tests)",
    .start = reader_start,
};

FIXTURE_ENTRY(descriptor)
