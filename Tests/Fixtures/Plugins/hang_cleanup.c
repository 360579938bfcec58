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
#include "fixture_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- publishing ------------------------------------------------------------------------------- */

/* Publishes a one-character payload; a refusal while stopping (E_STOPPED) is expected and ignored. */
static void publish_letter(bothost_plugin *self, bothost_str topic, char letter) {
    (void)host->bus_publish(self, topic, (bothost_bytes){ (const uint8_t *)&letter, 1 });
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
    fixture_trace(m->trace, "%c", m->letter);
    if (release[0] != '\0') {
        fixture_wait_for_file(release, (int64_t)sleep_for);
    } else {
        fixture_sleep_ms((int64_t)sleep_for);
    }
    /* nothing may touch `m` from here on */
}

static void free_marker(void *user_data) {
    hook_marker *m = user_data;
    char lower = (char)(m->letter - 'A' + 'a');
    publish_letter(m->self, BOTHOST_STR("hangs.freed"), lower);
    fixture_trace(m->trace, "%c", lower);
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
    /* Each key is optional (BOTHOST_E_NOT_FOUND); anything else but OK refuses the config. */
    bothost_str json = { (const char *)config.ptr, config.len };
    int64_t sleep_setting = 3000;
    bothost_status sleep_st = host->json_get_int64(json, BOTHOST_STR("/sleepMs"), &sleep_setting);
    bothost_status trace_st = host->json_get_string(json, BOTHOST_STR("/traceFile"), s->trace, sizeof s->trace, NULL);
    bothost_status release_st = host->json_get_string(json, BOTHOST_STR("/releaseFile"), s->release, sizeof s->release, NULL);
    host->free(config.ptr);
    int sleep_ok = (sleep_st == BOTHOST_OK && sleep_setting >= 0) || sleep_st == BOTHOST_E_NOT_FOUND;
    int trace_ok = (trace_st == BOTHOST_OK || trace_st == BOTHOST_E_NOT_FOUND) &&
                   (release_st == BOTHOST_OK || release_st == BOTHOST_E_NOT_FOUND);
    if (trace_st != BOTHOST_OK) s->trace[0] = '\0';
    if (release_st != BOTHOST_OK) s->release[0] = '\0';
    s->sleep_ms = (uint64_t)sleep_setting;
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
    fixture_trace(s->trace, "S");
    free(s);
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "hangs",
    .version = "1.0.0",
    .description = "Three cleanup hooks; the middle one sleeps past its deadline (test fixture)",
    .init = hangs_init,
    .start = hangs_start,
    .stop = hangs_stop,
};

FIXTURE_ENTRY(descriptor)
