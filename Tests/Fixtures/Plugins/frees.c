/*
 * frees (plugin name "frees") — every kind of registration, each with its own user_data, to prove
 * the host calls every user_data_free exactly once.
 *
 * Config: {"traceFile": "/path"}   required (init refuses without it).
 *
 * start registers, each with a malloc'd marker whose user_data_free appends ONE letter to the trace
 * file (no separator; open, append, close each time) and then frees the marker:
 *
 *   t  timer_start      one-shot, delay 86 400 000 ms (a day): never fires in a test; freed at stop
 *   r  timer_start      repeating, delay 1000 ms, interval 1000 ms; freed at stop
 *   s  bus_subscribe    "frees.events"; freed at stop
 *   v  bus_serve        "frees.service" (replies "frees" if ever asked); freed at stop
 *   c  command_register /frees (replies ephemerally "frees" if ever invoked); freed at stop
 *   h  cleanup_register a hook that does nothing; freed after it runs at stop
 *   q  bus_request      to "frees.nobody" (nobody serves it), timeout 60 000 ms; freed once answered
 *                       (E_NO_RESPONDER, normally at once) or at stop, whichever comes first
 *   x  http_request     GET http://127.0.0.1:9/ (the discard port, nothing listens), timeout 60 000 ms;
 *                       freed once it fails or at stop
 *   u  timer_start      one-shot, delay 0: its callback calls host->unregister on its own handle
 *                       TWICE (both must return BOTHOST_OK); freed after that callback
 *
 * So after the plugin has stopped the trace holds each of t r s c v h q x u exactly once, in an
 * order that depends on the host. Nothing else in the trace is a lower-case letter. A registration
 * call that fails is logged (the host still frees its marker, so its letter still appears once),
 * and start carries on: this fixture is about frees, not about failing.
 */
#include "fixture_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- markers ---------------------------------------------------------------------------------- */

/* One registration's user_data. Self-contained: frees run after stop has freed the state. */
typedef struct marker {
    char letter;
    bothost_plugin *self;
    char trace[1024];
} marker;

typedef struct frees_state {
    bothost_plugin *self;
    char trace[1024];
} frees_state;

static marker *marker_new(frees_state *s, char letter) {
    marker *m = malloc(sizeof *m);
    if (m == NULL) return NULL;
    m->letter = letter;
    m->self = s->self;
    memcpy(m->trace, s->trace, sizeof m->trace);
    return m;
}

/* The user_data_free of every registration here. */
static void marker_free(void *user_data) {
    marker *m = user_data;
    fixture_trace(m->trace, "%c", m->letter);
    free(m);
}

/* ---- callbacks (they trace nothing; only frees do) -------------------------------------------- */

static void on_timer(void *user_data, bothost_handle timer) {
    (void)user_data;
    (void)timer;
}

static void on_event(void *user_data, bothost_handle subscription, bothost_str topic, bothost_bytes payload) {
    (void)user_data;
    (void)subscription;
    (void)topic;
    (void)payload;
}

static void on_service(void *user_data, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)topic;
    (void)payload;
    marker *m = user_data;
    bothost_status st = host->bus_reply(m->self, request, BOTHOST_OK, (bothost_bytes){ (const uint8_t *)"frees", 5 });
    if (st != BOTHOST_OK) fixture_log_failure(m->self, "bus_reply", st);
}

static void on_command(void *user_data, const bothost_interaction *interaction) {
    marker *m = user_data;
    bothost_status st = host->interaction_reply(m->self, interaction->interaction, BOTHOST_STR("{\"content\":\"frees\"}"),
                                                BOTHOST_REPLY_EPHEMERAL, NULL, NULL, NULL);
    if (st != BOTHOST_OK) fixture_log_failure(m->self, "interaction_reply", st);
}

static void on_hook(void *user_data) {
    (void)user_data;
}

static void on_reply(void *user_data, bothost_handle request, bothost_status status, bothost_bytes payload) {
    (void)request;
    (void)payload;
    marker *m = user_data;
    fixture_log(m->self, BOTHOST_LOG_INFO, "request to frees.nobody ended with status %d", (int)status);
}

static void on_http(void *user_data, bothost_handle request, const bothost_http_response *response) {
    (void)request;
    marker *m = user_data;
    fixture_log(m->self, BOTHOST_LOG_INFO, "http to 127.0.0.1:9 ended with status %d", (int)response->status);
}

/* The 'u' one-shot: unregisters itself from inside its own callback, twice. */
static void on_self_unregister(void *user_data, bothost_handle timer) {
    marker *m = user_data;
    bothost_status first = host->unregister(m->self, timer);
    if (first != BOTHOST_OK) fixture_log_failure(m->self, "unregister (first call, inside the timer's own callback)", first);
    bothost_status second = host->unregister(m->self, timer);
    if (second != BOTHOST_OK) fixture_log_failure(m->self, "unregister (second call on the same handle)", second);
    /* The marker stays valid until this callback returns: its free runs after, on the executor. */
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

static bothost_status frees_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    bothost_buffer config = { NULL, 0 };
    if (host->config_get(self, &config) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    frees_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host->free(config.ptr);
        *out_reason = BOTHOST_STR("out of memory");
        return BOTHOST_E_PLUGIN;
    }
    s->self = self;
    /* The host decodes escapes: its JSON writer may send a path as "\/tmp\/trace". */
    bothost_str json = { (const char *)config.ptr, config.len };
    bothost_status found = host->json_get_string(json, BOTHOST_STR("/traceFile"), s->trace, sizeof s->trace, NULL);
    host->free(config.ptr);
    if (found != BOTHOST_OK || s->trace[0] == '\0') {
        free(s);
        *out_reason = BOTHOST_STR("config needs \"traceFile\": a path string shorter than 1024 bytes");
        return BOTHOST_E_PLUGIN;
    }
    *out_state = s;
    return BOTHOST_OK;
}

#define CHECK(what, call)                                                                          \
    do {                                                                                           \
        bothost_status st_ = (call);                                                               \
        if (st_ != BOTHOST_OK) fixture_log_failure(self, what, st_);                                       \
    } while (0)

static bothost_status frees_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    frees_state *s = state;
    marker *m[9];
    static const char letters[] = "trsvchqxu";
    for (int i = 0; i < 9; i++) {
        if ((m[i] = marker_new(s, letters[i])) == NULL) {
            for (int j = 0; j < i; j++) free(m[j]); /* not registered yet: ours to free */
            *out_reason = BOTHOST_STR("out of memory");
            return BOTHOST_E_PLUGIN;
        }
    }
    bothost_handle h;

    /* Every call hands its marker to the host: from here on, only marker_free releases it. */
    CHECK("timer_start (one-shot, a day away)", host->timer_start(self, 86400000, 0, on_timer, m[0], marker_free, &h));
    CHECK("timer_start (repeating)", host->timer_start(self, 1000, 1000, on_timer, m[1], marker_free, &h));
    CHECK("bus_subscribe", host->bus_subscribe(self, BOTHOST_STR("frees.events"), on_event, m[2], marker_free, &h));
    CHECK("bus_serve", host->bus_serve(self, BOTHOST_STR("frees.service"), on_service, m[3], marker_free, &h));
    CHECK("command_register",
          host->command_register(self, BOTHOST_STR("{\"name\":\"frees\",\"description\":\"Test fixture: frees\"}"),
                                 on_command, m[4], marker_free, &h));
    CHECK("cleanup_register", host->cleanup_register(self, on_hook, m[5], marker_free, &h));
    CHECK("bus_request", host->bus_request(self, BOTHOST_STR("frees.nobody"), (bothost_bytes){ (const uint8_t *)"ping", 4 },
                                           60000, on_reply, m[6], marker_free, &h));
    bothost_http_request request = {
        .struct_size = sizeof(bothost_http_request),
        .method = BOTHOST_STR("GET"),
        .url = BOTHOST_STR("http://127.0.0.1:9/"),
        .timeout_ms = 60000,
    };
    CHECK("http_request", host->http_request(self, &request, on_http, m[7], marker_free, &h));
    CHECK("timer_start (one-shot, delay 0, unregisters itself)",
          host->timer_start(self, 0, 0, on_self_unregister, m[8], marker_free, &h));
    return BOTHOST_OK;
}

static void frees_stop(bothost_plugin *self, void *state) {
    (void)self;
    free(state); /* the markers are separate allocations; the host frees them after this */
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "frees",
    .version = "1.0.0",
    .description = "One registration of every kind, each freeing its own user_data (test fixture)",
    .init = frees_init,
    .start = frees_start,
    .stop = frees_stop,
};

FIXTURE_ENTRY(descriptor)
