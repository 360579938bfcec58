/*
 * counter.c — a complete BotHost plugin in plain C, written to be copied.
 *
 * It needs nothing but bothost_plugin.h:
 *
 *     cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I <dir of bothost_plugin.h> \
 *        -o libcounter.so counter.c
 *
 * What it does (every effect goes through the host's function table; the plugin links against no
 * host symbol):
 *
 *   config        {"tickMs": 1000, "topic": "counter.tick"}   (both optional; those are the defaults)
 *   timer         every tickMs: count += 1, persist it, publish {"n":<count>} on `topic`
 *   bus           counter.add      payload an ASCII integer ("40", "-3"): count += it
 *   request/reply counter.get      replies {"n":<count>}
 *   command       /count [add:<integer>]   replies ephemerally "Count: N" (after adding `add`)
 *   storage       key "count" (ASCII decimal) written on every change, read at init
 *   cleanup hook  writes the final count and logs "counter cleaned up"
 *   event         counter.started  published once per start, payload {"n":<count>}
 *
 * The ABI rules this file leans on are marked "ABI:" in the comments.
 */
#include "bothost_plugin.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================================================== */
/* The host table                                                                                 */
/* ============================================================================================== */

/*
 * ABI: the table the host passes to the entry function is valid for the life of the process, so
 * keeping a pointer to it is the normal thing to do. It is the only global this plugin has; all
 * other state lives in the malloc'd counter_state that init creates (init may run again after a
 * stop, and must start from scratch when it does).
 */
static const bothost_host_api *host;

/* ============================================================================================== */
/* State and its lifetime                                                                         */
/* ============================================================================================== */

#define COUNTER_DEFAULT_TICK_MS 1000u
#define COUNTER_MAX_TICK_MS 86400000u /* one day */
#define COUNTER_DEFAULT_TOPIC "counter.tick"
#define COUNTER_TOPIC_MAX 255         /* the host accepts topics of 1-256 bytes */

typedef struct counter_state {
    /*
     * ABI: the stop callback runs BEFORE the cleanup hooks, and the host calls each registration's
     * user_data_free only after that (rule 10). So a cleanup hook that needs the state must not find
     * it already freed by stop. The simple, general answer: every holder of the state owns one
     * reference — the plugin itself (from init until stop) and every registration whose user_data
     * is the state (until the host calls its user_data_free). The last release frees it.
     *
     * No atomics or locks: every callback of one plugin, user_data_free included, runs one at a time
     * on the plugin's own serial executor (rule 7).
     */
    unsigned refs;

    /* Timer, bus, command and cleanup callbacks get only their user_data, so keep `self` here. */
    bothost_plugin *self;

    int64_t count;
    uint64_t tick_ms;
    char topic[COUNTER_TOPIC_MAX + 1];
    size_t topic_len;
} counter_state;

/* Takes one more reference; returns the state so a call can pass `state_retain(s)` as user_data. */
static void *state_retain(counter_state *s) {
    s->refs++;
    return s;
}

/* A bothost_free_fn: drops one reference, frees the state with the last one. */
static void state_release(void *user_data) {
    counter_state *s = user_data;
    if (s != NULL && --s->refs == 0) free(s);
}

/* ============================================================================================== */
/* Logging and statuses                                                                           */
/* ============================================================================================== */

static const char *status_name(bothost_status status) {
    switch (status) {
    case BOTHOST_OK: return "OK";
    case BOTHOST_E_INVALID_ARGUMENT: return "E_INVALID_ARGUMENT";
    case BOTHOST_E_NOT_FOUND: return "E_NOT_FOUND";
    case BOTHOST_E_STOPPED: return "E_STOPPED";
    case BOTHOST_E_TIMEOUT: return "E_TIMEOUT";
    case BOTHOST_E_NO_RESPONDER: return "E_NO_RESPONDER";
    case BOTHOST_E_QUEUE_FULL: return "E_QUEUE_FULL";
    case BOTHOST_E_CONFLICT: return "E_CONFLICT";
    case BOTHOST_E_UNSUPPORTED: return "E_UNSUPPORTED";
    case BOTHOST_E_IO: return "E_IO";
    case BOTHOST_E_TOO_LARGE: return "E_TOO_LARGE";
    case BOTHOST_E_CANCELLED: return "E_CANCELLED";
    case BOTHOST_E_INTERNAL: return "E_INTERNAL";
    case BOTHOST_E_DENIED: return "E_DENIED";
    case BOTHOST_E_WRONG_TYPE: return "E_WRONG_TYPE";
    case BOTHOST_E_BAD_POINTER: return "E_BAD_POINTER";
    default: return status >= BOTHOST_E_PLUGIN ? "plugin-defined error" : "unknown status";
    }
}

#if defined(__GNUC__) || defined(__clang__)
#define COUNTER_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define COUNTER_PRINTF(fmt, args)
#endif

/* Formats a line and logs it through the host (which tags it with the plugin's name). */
COUNTER_PRINTF(3, 4)
static void logf_(bothost_plugin *self, bothost_log_level level, const char *format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1; /* truncated lines are fine */
    /* ABI: strings cross as (pointer, length) slices; the host copies before log() returns. */
    host->log(self, level, (bothost_str){ line, len });
}

/*
 * Copies host->last_error() into `out` as "<what> failed (<status>): <detail>".
 *
 * ABI: last_error() describes the last failed call on this thread and is valid only until the next
 * host call — host->log() included — so read it first, right after the failure, and copy it.
 */
static void describe_failure(char *out, size_t out_len, const char *what, bothost_status status) {
    bothost_str detail = host->last_error();
    snprintf(out, out_len, "%s failed (%s): %.*s", what, status_name(status),
             (int)(detail.len > 300 ? 300 : detail.len), detail.ptr != NULL ? detail.ptr : "");
}

static void log_failure(bothost_plugin *self, const char *what, bothost_status status) {
    char message[400];
    describe_failure(message, sizeof message, what, status);
    logf_(self, BOTHOST_LOG_ERROR, "%s", message);
}

/* ============================================================================================== */
/* Reading JSON                                                                                   */
/*                                                                                                */
/* ABI: the host reads JSON for us (minor 4): host->json_get_int64(json, "/tickMs", &out) and its */
/* siblings take the document and a JSON Pointer and say OK, NOT_FOUND (absent), WRONG_TYPE or    */
/* INVALID_ARGUMENT (not JSON). So the plugin carries no JSON code: one call per value.           */
/* ============================================================================================== */

/* The JSON in a buffer the host gave us (config_get, storage_get), as the slice the json_* calls take. */
static bothost_str buffer_text(bothost_buffer buffer) {
    return (bothost_str){ (const char *)buffer.ptr, buffer.len };
}

/* A payload (bus, storage) as JSON text. "40" and " -3\n" are JSON documents: a number. */
static bothost_str bytes_text(bothost_bytes bytes) {
    return (bothost_str){ (const char *)bytes.ptr, bytes.len };
}

/* ============================================================================================== */
/* The counter                                                                                    */
/* ============================================================================================== */

/* Writes the count to storage. ABI: storage_set returns once the write is committed to disk. */
static void persist(counter_state *s) {
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, s->count);
    bothost_bytes value = { (const uint8_t *)digits, (size_t)n };
    bothost_status st = host->storage_set(s->self, BOTHOST_STR("count"), value);
    if (st != BOTHOST_OK) log_failure(s->self, "storage_set(\"count\")", st);
}

/* Adds `delta`, refusing (and saying so) when the result would not fit. Persists on success. */
static int add_to_count(counter_state *s, int64_t delta) {
    if ((delta > 0 && s->count > INT64_MAX - delta) || (delta < 0 && s->count < INT64_MIN - delta)) {
        logf_(s->self, BOTHOST_LOG_WARNING, "ignored adding %" PRId64 " to %" PRId64 ": it would overflow",
              delta, s->count);
        return 0;
    }
    s->count += delta;
    persist(s);
    return 1;
}

/* Formats {"n":<count>}; returns its length. */
static size_t count_json(const counter_state *s, char *out, size_t out_len) {
    int n = snprintf(out, out_len, "{\"n\":%" PRId64 "}", s->count);
    return n < 0 ? 0 : (size_t)n;
}

static void publish_count(counter_state *s, bothost_str topic) {
    char json[40];
    size_t len = count_json(s, json, sizeof json);
    bothost_status st = host->bus_publish(s->self, topic, (bothost_bytes){ (const uint8_t *)json, len });
    /* E_QUEUE_FULL means one subscriber lost this event (the host counts it); not fatal for us. */
    if (st != BOTHOST_OK) log_failure(s->self, "bus_publish", st);
}

/* ============================================================================================== */
/* Callbacks                                                                                      */
/*                                                                                                */
/* ABI: everything the host passes to a callback (topic, payload, interaction) is valid only      */
/* while the callback runs. This plugin copies nothing it keeps, so it never holds onto them.     */
/* ============================================================================================== */

/* (a) The repeating timer. */
static void on_tick(void *user_data, bothost_handle timer) {
    (void)timer;
    counter_state *s = user_data;
    if (add_to_count(s, 1)) publish_count(s, (bothost_str){ s->topic, s->topic_len });
}

/* (b) counter.add: the payload is an ASCII integer. */
static void on_add(void *user_data, bothost_handle subscription, bothost_str topic, bothost_bytes payload) {
    (void)subscription;
    (void)topic;
    counter_state *s = user_data;
    int64_t delta;
    if (host->json_get_int64(bytes_text(payload), BOTHOST_STR(""), &delta) != BOTHOST_OK) {
        logf_(s->self, BOTHOST_LOG_WARNING, "counter.add wants an ASCII integer such as \"5\"; ignored \"%.*s\"",
              (int)(payload.len > 40 ? 40 : payload.len), payload.ptr != NULL ? (const char *)payload.ptr : "");
        return;
    }
    add_to_count(s, delta);
}

/* (c) counter.get: reply {"n":<count>}. The request handle is answered here, once. */
static void on_get(void *user_data, bothost_handle request, bothost_str topic, bothost_bytes payload) {
    (void)topic;
    (void)payload;
    counter_state *s = user_data;
    char json[40];
    size_t len = count_json(s, json, sizeof json);
    bothost_status st = host->bus_reply(s->self, request, BOTHOST_OK, (bothost_bytes){ (const uint8_t *)json, len });
    /* E_NOT_FOUND / E_CONFLICT here mean the requester already gave up (timed out). */
    if (st != BOTHOST_OK) log_failure(s->self, "bus_reply to counter.get", st);
}

/*
 * Finds the integer option "add" in the interaction's data.options: 1 found, 0 absent, -1 there but
 * not a whole number. Options are an array of {"name", "type", "value"} in the order the user typed.
 */
static int find_add_option(bothost_str interaction_json, int64_t *out) {
    size_t count = 0;
    if (host->json_array_length(interaction_json, BOTHOST_STR("/data/options"), &count) != BOTHOST_OK) return 0;
    for (size_t i = 0; i < count; i++) {
        char pointer[48], name[16];
        snprintf(pointer, sizeof pointer, "/data/options/%zu/name", i);
        if (host->json_get_string(interaction_json, (bothost_str){ pointer, strlen(pointer) }, name, sizeof name,
                                  NULL) != BOTHOST_OK || strcmp(name, "add") != 0) {
            continue;
        }
        snprintf(pointer, sizeof pointer, "/data/options/%zu/value", i);
        return host->json_get_int64(interaction_json, (bothost_str){ pointer, strlen(pointer) }, out) == BOTHOST_OK ? 1 : -1;
    }
    return 0;
}

/* Completion of interaction_reply: the message reached Discord, or why not. */
static void on_reply_done(void *user_data, bothost_status status, bothost_bytes body) {
    (void)body;
    counter_state *s = user_data;
    if (status != BOTHOST_OK)
        logf_(s->self, BOTHOST_LOG_WARNING, "the /count reply was not delivered (%s)", status_name(status));
}

/* (d) /count [add:<integer>]. */
static void on_count_command(void *user_data, const bothost_interaction *interaction) {
    counter_state *s = user_data;

    /*
     * ABI: a struct the host hands us may come from a host built against an older or newer minor.
     * Copy min(struct_size, sizeof) into a zeroed struct: fields the host does not know read as 0.
     */
    bothost_interaction in;
    memset(&in, 0, sizeof in);
    memcpy(&in, interaction, interaction->struct_size < sizeof in ? interaction->struct_size : sizeof in);

    char message[96];
    int64_t add = 0;
    switch (find_add_option(in.json, &add)) {
    case 1:
        if (add_to_count(s, add)) {
            snprintf(message, sizeof message, "{\"content\":\"Count: %" PRId64 "\"}", s->count);
        } else {
            snprintf(message, sizeof message, "{\"content\":\"Cannot add that: the count would overflow.\"}");
        }
        break;
    case 0:
        snprintf(message, sizeof message, "{\"content\":\"Count: %" PRId64 "\"}", s->count);
        break;
    default:
        snprintf(message, sizeof message, "{\"content\":\"The add option must be a whole number.\"}");
        break;
    }

    /*
     * ABI: the done callback is a registration like any other: its user_data (a state reference)
     * is released by the host through user_data_free exactly once — after done runs, when the plugin
     * stops first, or right away if this call fails.
     */
    bothost_status st = host->interaction_reply(s->self, in.interaction, (bothost_str){ message, strlen(message) },
                                                BOTHOST_REPLY_EPHEMERAL, on_reply_done, state_retain(s), state_release);
    if (st != BOTHOST_OK) log_failure(s->self, "interaction_reply for /count", st);
}

/* (f) The cleanup hook: runs while the plugin stops, after the stop callback. */
static void on_cleanup(void *user_data) {
    counter_state *s = user_data; /* still alive: this hook's registration holds a reference */
    persist(s);
    host->log(s->self, BOTHOST_LOG_INFO, BOTHOST_STR("counter cleaned up"));
}

/* ============================================================================================== */
/* Lifecycle                                                                                      */
/* ============================================================================================== */

/*
 * ABI: *out_reason is plugin memory that the host copies when init/start returns. A string literal
 * works; for a composed message we use this buffer (lifecycle callbacks never run concurrently).
 */
static char reason_buffer[512];

static bothost_status refuse(bothost_str *out_reason, bothost_status status, const char *message) {
    if (message != reason_buffer) snprintf(reason_buffer, sizeof reason_buffer, "%s", message);
    *out_reason = (bothost_str){ reason_buffer, strlen(reason_buffer) };
    return status;
}

/* A topic we publish on: 1-255 bytes of [A-Za-z0-9_-] segments joined by single dots. */
static int valid_topic(const char *p, size_t len) {
    if (len == 0 || len > COUNTER_TOPIC_MAX || p[0] == '.' || p[len - 1] == '.') return 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                 c == '-' || (c == '.' && p[i + 1] != '.');
        if (!ok) return 0;
    }
    return 1;
}

/* Reads {"tickMs": N, "topic": "..."} into s. Returns NULL, or why the config is refused. */
static const char *parse_config(counter_state *s, bothost_str config) {
    bothost_str whole;
    int64_t ms;
    size_t topic_len = 0;

    s->tick_ms = COUNTER_DEFAULT_TICK_MS;
    memcpy(s->topic, COUNTER_DEFAULT_TOPIC, sizeof COUNTER_DEFAULT_TOPIC);
    s->topic_len = sizeof COUNTER_DEFAULT_TOPIC - 1;

    /* "" is the whole document: its first byte says whether it is an object. */
    if (host->json_get_raw(config, BOTHOST_STR(""), &whole) != BOTHOST_OK || whole.ptr[0] != '{')
        return "config must be a JSON object";

    switch (host->json_get_int64(config, BOTHOST_STR("/tickMs"), &ms)) {
    case BOTHOST_OK:
        if (ms <= 0 || ms > (int64_t)COUNTER_MAX_TICK_MS)
            return "tickMs must be a positive integer no larger than 86400000 (one day)";
        s->tick_ms = (uint64_t)ms;
        break;
    case BOTHOST_E_NOT_FOUND: break; /* optional: keep the default */
    default: return "tickMs must be a positive integer";
    }

    /* A string, escapes decoded, NUL-terminated; E_TOO_LARGE when it does not fit in the buffer. */
    switch (host->json_get_string(config, BOTHOST_STR("/topic"), s->topic, sizeof s->topic, &topic_len)) {
    case BOTHOST_OK:
        if (topic_len != strlen(s->topic) || !valid_topic(s->topic, topic_len)) break;
        s->topic_len = topic_len;
        return NULL;
    case BOTHOST_E_NOT_FOUND:
        return NULL;
    default:
        break;
    }
    return "topic must be a string like \"counter.tick\": 1-255 characters of letters, digits, "
           "'_' and '-' in dot-separated segments (no wildcards)";
}

/* Loads the stored count. Returns NULL, or why init must refuse. */
static const char *load_count(counter_state *s) {
    bothost_buffer stored = { NULL, 0 };
    bothost_status st = host->storage_get(s->self, BOTHOST_STR("count"), &stored);
    if (st == BOTHOST_E_NOT_FOUND) {
        s->count = 0; /* first run */
        return NULL;
    }
    if (st != BOTHOST_OK) {
        /* Refuse rather than start from 0 and overwrite a count we could not read. */
        describe_failure(reason_buffer, sizeof reason_buffer, "reading the stored count", st);
        return reason_buffer;
    }
    int64_t count = 0;
    if (host->json_get_int64(buffer_text(stored), BOTHOST_STR(""), &count) != BOTHOST_OK) {
        logf_(s->self, BOTHOST_LOG_WARNING, "stored count \"%.*s\" is not a decimal number; starting from 0",
              (int)(stored.len > 40 ? 40 : stored.len), stored.ptr != NULL ? (const char *)stored.ptr : "");
        count = 0;
    }
    /* ABI: the host allocated the buffer and handed it to us; only host->free may release it. */
    host->free(stored.ptr);
    s->count = count;
    return NULL;
}

static bothost_status counter_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    /*
     * ABI: the descriptor requires this header's minor (BOTHOST_REQUIRED_MINOR), and the loader
     * refuses the plugin on a host that offers less, so every slot this file uses is there —
     * json_* (minor 4) included — and this check cannot fail; it shows the pattern. A plugin that
     * defines BOTHOST_REQUIRED_MINOR lower to run on older hosts must test every newer slot with
     * BOTHOST_API_HAS before EVERY use instead, since an older host lacks it.
     */
    if (!BOTHOST_API_HAS(host, json_get_string))
        return refuse(out_reason, BOTHOST_E_UNSUPPORTED, "this host's API table is older than ABI 1.4");

    /* Fresh state every time: init runs again when the plugin is re-enabled or reconfigured. */
    counter_state *s = calloc(1, sizeof *s);
    if (s == NULL) return refuse(out_reason, BOTHOST_E_PLUGIN, "out of memory");
    s->refs = 1; /* the plugin's own reference, dropped in stop */
    s->self = self;

    bothost_buffer config = { NULL, 0 };
    bothost_status st = host->config_get(self, &config);
    if (st != BOTHOST_OK) {
        describe_failure(reason_buffer, sizeof reason_buffer, "config_get", st);
        state_release(s);
        return refuse(out_reason, st, reason_buffer);
    }
    const char *config_error = parse_config(s, buffer_text(config));
    host->free(config.ptr); /* ABI: our buffer now; release it with the host's free, never free() */
    if (config_error == NULL) config_error = load_count(s);
    if (config_error != NULL) {
        state_release(s);
        return refuse(out_reason, BOTHOST_E_PLUGIN, config_error);
    }

    *out_state = s;
    return BOTHOST_OK;
}

/* Copies why `what` failed into the start reason (and the log), and returns the status. */
static bothost_status start_failed(bothost_plugin *self, bothost_str *out_reason, const char *what,
                                   bothost_status st) {
    describe_failure(reason_buffer, sizeof reason_buffer, what, st);
    logf_(self, BOTHOST_LOG_ERROR, "%s", reason_buffer);
    *out_reason = (bothost_str){ reason_buffer, strlen(reason_buffer) };
    /*
     * ABI: no unwinding of our own registrations needed. A failed start makes the host stop the
     * plugin (stop callback, hooks, then removal of every registration and its user_data_free).
     */
    return st;
}

static bothost_status counter_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    counter_state *s = state;
    bothost_handle handle; /* the host removes every registration at stop; we never need the handles */
    bothost_status st;

    /*
     * ABI: each registration gets its own state reference as user_data and state_release as
     * user_data_free. The host calls user_data_free exactly once however the registration ends —
     * and also when the registering call itself fails — so no failure path below frees anything.
     */

    /* (a) every tick_ms, first after tick_ms */
    st = host->timer_start(self, s->tick_ms, s->tick_ms, on_tick, state_retain(s), state_release, &handle);
    if (st != BOTHOST_OK) return start_failed(self, out_reason, "timer_start", st);

    /* (b) */
    st = host->bus_subscribe(self, BOTHOST_STR("counter.add"), on_add, state_retain(s), state_release, &handle);
    if (st != BOTHOST_OK) return start_failed(self, out_reason, "bus_subscribe(counter.add)", st);

    /* (c) one server per topic: a second counter gets E_CONFLICT here */
    st = host->bus_serve(self, BOTHOST_STR("counter.get"), on_get, state_retain(s), state_release, &handle);
    if (st != BOTHOST_OK) return start_failed(self, out_reason, "bus_serve(counter.get)", st);

    /* (d) Discord's application command object; option type 4 is INTEGER */
    static const char count_command[] =
        "{\"name\":\"count\",\"description\":\"Show the counter\","
        "\"options\":[{\"type\":4,\"name\":\"add\",\"description\":\"Add to it\",\"required\":false}]}";
    st = host->command_register(self, BOTHOST_STR(count_command), on_count_command, state_retain(s),
                                state_release, &handle);
    if (st != BOTHOST_OK) return start_failed(self, out_reason, "command_register(/count)", st);

    /* (f) */
    st = host->cleanup_register(self, on_cleanup, state_retain(s), state_release, &handle);
    if (st != BOTHOST_OK) return start_failed(self, out_reason, "cleanup_register", st);

    /* (g) an announcement; failing to publish it is worth a log line, not a failed start */
    publish_count(s, BOTHOST_STR("counter.started"));
    logf_(self, BOTHOST_LOG_INFO, "counting from %" PRId64 " every %" PRIu64 " ms on %s", s->count, s->tick_ms,
          s->topic);
    return BOTHOST_OK;
}

static void counter_stop(bothost_plugin *self, void *state) {
    (void)self;
    /*
     * ABI: stop runs first; the cleanup hooks and every user_data_free come after it. So drop only
     * the plugin's own reference here: the memory goes with the last registration's release, after
     * the cleanup hook has written the final count.
     */
    state_release(state);
}

/* ============================================================================================== */
/* Descriptor and entry                                                                           */
/* ============================================================================================== */

/* ABI: static storage — the host keeps this pointer for the life of the process. */
/* Names the plugin owns besides "counter" (its counter.* topics and /counter come with that). */
static const char *const counter_owned_names[] = { "count", NULL };

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR, /* the ABI this file was compiled against */
    .abi_minor = BOTHOST_REQUIRED_MINOR, /* the lowest host minor it needs: this header's (rule 2) */
    .name = "counter",
    .version = "1.0.0",
    .description = "Counts ticks, bus adds and /count calls, and remembers the count",
    .gateway_intents = 0, /* it reads no gateway events */
    .init = counter_init,
    .start = counter_start,
    .stop = counter_stop,
    /* .config_changed left NULL: on a new config the host restarts the plugin (stop, init, start),
     * and init reads the new config and the stored count. */
    .owned_names = counter_owned_names, /* minor 4: /count is this plugin's alone */
};

/*
 * ABI: the entry must have no side effects — the host also calls it only to inspect the library
 * (`bothost plugins check`). Remembering the table and returning the descriptor is all it does.
 */
BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    host = api;
    return &descriptor;
}
