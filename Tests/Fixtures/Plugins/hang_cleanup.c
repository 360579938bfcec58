/*
 * hang_cleanup (plugin name "hangs") — cleanup hooks, one of which hangs past its deadline.
 *
 * Config: {"sleepMs": N, "traceFile": "/path", "releaseFile": "/path"}   all optional; sleepMs
 * defaults to 3000. With releaseFile, hook B hangs until that file exists (sleepMs then only bounds
 * the wait), so a test decides when B returns instead of racing a timer.
 *
 * start registers three cleanup hooks, in the order A, B, C. Each hook's user_data is its own
 * malloc'd marker. When the plugin stops, the host should run:
 *
 *   stop callback      publishes "hangs.stop" (payload "S"), traces "S", frees the state
 *   hook C             publishes "hangs.cleanup" payload "C", traces "C"
 *   hook B             publishes "hangs.cleanup" payload "B", traces "B", THEN sleeps sleepMs
 *                      (or until releaseFile exists)
 *                      (past the cleanup deadline when sleepMs exceeds it: the host must abandon
 *                      it and go on)
 *   hook A             publishes "hangs.cleanup" payload "A", traces "A"
 *   each marker's free publishes "hangs.freed" with payload "a", "b" or "c" and traces that letter
 *
 * Trace file: one character appended per event, no separators (open, append, close each time), so
 * a run reads e.g. "SCBA" plus "a", "b", "c" each once, wherever the host schedules the frees.
 * The trace exists because a bus publish during stop may be refused (BOTHOST_E_STOPPED); such a
 * refusal is ignored here.
 *
 * Note on the hanging hook: after the deadline the host abandons B and may call B's user_data_free
 * while B is still sleeping. So B reads everything it needs from its marker BEFORE sleeping and
 * never touches the marker afterwards.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep under -std=c11 */

#include "bothost_plugin.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const bothost_host_api *host;

/* ---- config reading (flat JSON objects only; enough for a test fixture) ----------------------- */

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Finds `"key" :` in the config and returns where its value starts, or NULL. */
static const char *config_value(const char *json, size_t len, const char *key) {
    size_t klen = strlen(key);
    const char *end = json + len;
    for (const char *p = json; json != NULL && (size_t)(end - p) >= klen + 2; p++) {
        if (p[0] != '"' || memcmp(p + 1, key, klen) != 0 || p[klen + 1] != '"') continue;
        const char *q = p + klen + 2;
        while (q < end && is_ws(*q)) q++;
        if (q == end || *q != ':') continue;
        for (q++; q < end && is_ws(*q); q++) {
        }
        return q < end ? q : NULL;
    }
    return NULL;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads four hex digits at p (p + 4 <= end). Returns the code unit, or -1. */
static long hex4(const char *p, const char *end) {
    long v = 0;
    if (end - p < 4) return -1;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/*
 * Copies the string value of `key`, decoding JSON escapes (the host's JSON writer may send a path
 * as "\/tmp\/trace"). Returns 1 when copied, 0 when the key is absent, -1 when it is not a string
 * or does not fit.
 */
static int config_string(const char *json, size_t len, const char *key, char *out, size_t out_len) {
    const char *end = json + len;
    const char *p = config_value(json, len, key);
    size_t n = 0;
    if (p == NULL) return 0;
    if (*p != '"') return -1;
    for (p++; p < end && *p != '"'; p++) {
        unsigned long c = (unsigned char)*p;
        int escaped = 0;
        if (c == '\\') {
            escaped = 1;
            if (++p == end) return -1;
            switch (*p) {
            case '"': case '\\': case '/': c = (unsigned char)*p; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                long u = hex4(p + 1, end);
                if (u < 0) return -1;
                p += 4;
                c = (unsigned long)u;
                if (c >= 0xD800 && c <= 0xDBFF) { /* a surrogate pair */
                    long low = (end - p >= 7 && p[1] == '\\' && p[2] == 'u') ? hex4(p + 3, end) : -1;
                    if (low < 0xDC00 || low > 0xDFFF) return -1;
                    c = 0x10000 + ((c - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
                    p += 6;
                }
                break;
            }
            default: return -1;
            }
        }
        /* Append c as UTF-8 (unescaped bytes arrive already encoded and pass through as they are). */
        unsigned char bytes[4];
        size_t count;
        if (c < 0x80 || !escaped) { bytes[0] = (unsigned char)c; count = 1; }
        else if (c < 0x800) { bytes[0] = (unsigned char)(0xC0 | (c >> 6)); bytes[1] = (unsigned char)(0x80 | (c & 0x3F)); count = 2; }
        else if (c < 0x10000) {
            bytes[0] = (unsigned char)(0xE0 | (c >> 12)); bytes[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | (c & 0x3F)); count = 3;
        } else {
            bytes[0] = (unsigned char)(0xF0 | (c >> 18)); bytes[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)); bytes[3] = (unsigned char)(0x80 | (c & 0x3F)); count = 4;
        }
        if (n + count >= out_len) return -1;
        memcpy(out + n, bytes, count);
        n += count;
    }
    if (p == end) return -1;
    out[n] = '\0';
    return 1;
}

/* Reads a non-negative integer value of `key`: 1 read, 0 absent, -1 not a whole number. */
static int config_uint(const char *json, size_t len, const char *key, uint64_t *out) {
    const char *end = json + len;
    const char *p = config_value(json, len, key);
    uint64_t v = 0;
    if (p == NULL) return 0;
    if (p == end || *p < '0' || *p > '9') return -1;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10) return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return -1;
    *out = v;
    return 1;
}

/* ---- tracing ---------------------------------------------------------------------------------- */

/* Appends one character to the trace file (if configured): open, append, close. */
static void trace_append(const char *path, char letter) {
    if (path == NULL || path[0] == '\0') return;
    FILE *f = fopen(path, "a");
    if (f == NULL) return;
    fputc(letter, f);
    fclose(f);
}

/* Publishes a one-character payload; a refusal while stopping (E_STOPPED) is expected and ignored. */
static void publish_letter(bothost_plugin *self, bothost_str topic, char letter) {
    (void)host->bus_publish(self, topic, (bothost_bytes){ (const uint8_t *)&letter, 1 });
}

static void sleep_ms(uint64_t ms) {
    struct timespec left = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

/* ---- state and markers ------------------------------------------------------------------------ */

typedef struct hangs_state {
    bothost_plugin *self;
    uint64_t sleep_ms;
    char trace[1024];
    char release[1024];
} hangs_state;

/* A hook's user_data. Self-contained: the state is already freed (by stop) when hooks run. */
typedef struct hook_marker {
    char letter;        /* 'A', 'B' or 'C' */
    uint64_t sleep_ms;  /* 0 for A and C */
    bothost_plugin *self;
    char trace[1024];
    char release[1024]; /* B only: hang until this file exists ("" = just sleep) */
} hook_marker;

static void on_hook(void *user_data) {
    hook_marker *m = user_data;
    uint64_t sleep_for = m->sleep_ms; /* copied: the marker may be freed while we sleep */
    char release[sizeof m->release];
    memcpy(release, m->release, sizeof release);
    publish_letter(m->self, BOTHOST_STR("hangs.cleanup"), m->letter);
    trace_append(m->trace, m->letter);
    if (sleep_for > 0 && release[0] != '\0') {
        for (uint64_t waited = 0; waited < sleep_for && access(release, F_OK) != 0; waited += 10) sleep_ms(10);
    } else if (sleep_for > 0) {
        sleep_ms(sleep_for);
    }
    /* nothing may touch `m` from here on */
}

static void free_marker(void *user_data) {
    hook_marker *m = user_data;
    char lower = (char)(m->letter - 'A' + 'a');
    publish_letter(m->self, BOTHOST_STR("hangs.freed"), lower);
    trace_append(m->trace, lower);
    free(m);
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

static bothost_status hangs_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    bothost_buffer config = { NULL, 0 };
    if (host->config_get(self, &config) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    hangs_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host->free(config.ptr);
        *out_reason = BOTHOST_STR("out of memory");
        return BOTHOST_E_PLUGIN;
    }
    s->self = self;
    s->sleep_ms = 3000;
    const char *json = (const char *)config.ptr;
    int sleep_ok = config_uint(json, config.len, "sleepMs", &s->sleep_ms) >= 0;
    int trace_ok = config_string(json, config.len, "traceFile", s->trace, sizeof s->trace) >= 0
        && config_string(json, config.len, "releaseFile", s->release, sizeof s->release) >= 0;
    host->free(config.ptr);
    if (!sleep_ok || !trace_ok) {
        free(s);
        *out_reason = !sleep_ok ? BOTHOST_STR("sleepMs must be a non-negative integer (milliseconds)")
                                : BOTHOST_STR("traceFile and releaseFile must be path strings shorter than 1024 bytes");
        return BOTHOST_E_PLUGIN;
    }
    *out_state = s;
    return BOTHOST_OK;
}

static bothost_status hangs_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    hangs_state *s = state;
    static const char letters[] = "ABC"; /* registration order; they run C, B, A */
    for (int i = 0; i < 3; i++) {
        hook_marker *m = malloc(sizeof *m);
        if (m == NULL) {
            *out_reason = BOTHOST_STR("out of memory");
            return BOTHOST_E_PLUGIN;
        }
        m->letter = letters[i];
        m->sleep_ms = letters[i] == 'B' ? s->sleep_ms : 0;
        m->self = self;
        memcpy(m->trace, s->trace, sizeof m->trace);
        if (letters[i] == 'B') memcpy(m->release, s->release, sizeof m->release);
        else m->release[0] = '\0';
        bothost_handle hook;
        /* On failure the host has already called free_marker(m): nothing to free here. */
        if (host->cleanup_register(self, on_hook, m, free_marker, &hook) != BOTHOST_OK) {
            *out_reason = host->last_error();
            return BOTHOST_E_PLUGIN;
        }
    }
    return BOTHOST_OK;
}

static void hangs_stop(bothost_plugin *self, void *state) {
    hangs_state *s = state;
    publish_letter(self, BOTHOST_STR("hangs.stop"), 'S');
    trace_append(s->trace, 'S');
    free(s);
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "hangs",
    .version = "1.0.0",
    .description = "Three cleanup hooks; the middle one sleeps past its deadline (test fixture)",
    .init = hangs_init,
    .start = hangs_start,
    .stop = hangs_stop,
};

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
