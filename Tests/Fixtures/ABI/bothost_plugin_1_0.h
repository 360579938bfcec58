/*
 * bothost_plugin.h — the BotHost plugin ABI.
 *
 * This header is the whole contract between the BotHost host process and its plugins. A plugin is a
 * shared library (.so) that exports one function, bothost_plugin_entry(), and talks to the host only
 * through the function table it receives there. Plugins never link against host symbols; only C
 * types cross the boundary. A plugin written in C needs nothing but this file.
 *
 * ---------------------------------------------------------------------------------------------------
 * THE RULES (read these once; every declaration below follows them)
 * ---------------------------------------------------------------------------------------------------
 *
 *  1. Entry. The library exports `bothost_plugin_entry` (a function, see BOTHOST_PLUGIN_ENTRY). It
 *     receives the host's API table and returns a pointer to the plugin's descriptor: name, version,
 *     description, the ABI it was built against, the gateway intents it needs and its lifecycle
 *     callbacks. The entry function must have no side effects: the host also calls it just to
 *     inspect a library (`bothost plugins check FILE.so`).
 *
 *  2. Versions. BOTHOST_ABI_MAJOR must match the host's exactly. The host's BOTHOST_ABI_MINOR must be
 *     at least the plugin's. Anything else is refused with both versions, the path and the fix.
 *     Minor versions only ever add: new functions at the end of the table, new fields at the end of
 *     structs. A function whose meaning changes gets a new name; the old one stays.
 *
 *  3. Sizes. Every struct that crosses the boundary starts with `uint32_t struct_size`. The receiver
 *     copies min(struct_size, sizeof) into zeroed memory, so older peers read zeros for newer fields.
 *     Before calling a table slot newer than BOTHOST_ABI_MINOR 0, check it with BOTHOST_API_HAS().
 *
 *  4. Types. Integers, UTF-8 slices (bothost_str: pointer + length, NOT NUL-terminated), byte slices,
 *     opaque handles and function pointers that take a `void *user_data`. Nothing else.
 *
 *  5. Memory. What the host passes to a callback is valid only while that callback runs: copy what you
 *     keep. What a plugin passes to a host call is copied by the host before the call returns. The
 *     only memory that changes hands is a bothost_buffer the host fills; release it with host->free.
 *     Every registration takes (user_data, user_data_free): the host calls user_data_free exactly
 *     once, on the plugin's executor, whichever way the registration ends (unregistered, one-shot
 *     fired, request answered or timed out, plugin stopped) — and also when the registering call
 *     itself fails, so a plugin never needs a failure-path free of its own. user_data_free may be
 *     NULL. Because the free runs on the executor, a call made from another thread may see its
 *     user_data freed before the call returns: do not touch user_data after a failed registration.
 *
 *  6. Handles. Every registration (timer, bus subscription, bus service, command, request or HTTP
 *     call in flight, cleanup hook) yields a host-owned bothost_handle recorded against the plugin.
 *     host->unregister() ends any of them; calling it from inside the registration's own callback is
 *     safe, and calling it twice is harmless. When a plugin stops, the host removes everything it
 *     still holds, even what the plugin forgot.
 *
 *  7. Threads. All callbacks of one plugin — lifecycle, timers, bus, commands, HTTP, frees — run one
 *     at a time, in order, on that plugin's own serial executor: a plugin needs no locks of its own.
 *     Host calls are safe from any thread and never wait on the network or on another plugin; results
 *     arrive as callbacks. The storage calls are the one exception that touches the disk: they run a
 *     local SQLite statement and return in microseconds. A callback that runs longer than the host's
 *     budget (1 s unless configured) is reported; a plugin that keeps overrunning can be stopped.
 *
 *  8. Errors. Every host call returns a bothost_status. After a failed call, host->last_error()
 *     returns a human-readable detail, valid until the next host call on the same thread. Nothing may
 *     unwind across the boundary: catch Swift errors and Rust panics inside the plugin.
 *
 *  9. Unloading. The host never dlclose()s a plugin (Swift code cannot be unmapped safely). Disabling
 *     stops the plugin and detaches it; enabling it again calls init() again on the same library, so
 *     init() must reset any global state. A changed library file is loaded under a fresh path.
 *
 * 10. Lifecycle. init → start → … → stop. init may refuse (the plugin is then not loaded and the
 *     reason is shown to the operator). Stopping cannot be vetoed; it runs, in order: the plugin's
 *     cleanup hooks, last-registered first, while its state is still alive; then the stop callback,
 *     which releases the state; then the removal of every remaining registration (their
 *     user_data_free calls). Each hook and the stop callback run under a deadline (5 s unless
 *     configured). A hook that overruns it is reported and abandoned: the remaining steps go on
 *     without it — so for once two of the plugin's functions may run at the same time — and its
 *     user_data is freed only if and when it returns.
 *
 * ---------------------------------------------------------------------------------------------------
 * A MINIMAL PLUGIN
 * ---------------------------------------------------------------------------------------------------
 *
 *   #include "bothost_plugin.h"
 *   static const bothost_host_api *host;
 *
 *   static void on_ping(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
 *       host->log(ud, BOTHOST_LOG_INFO, BOTHOST_STR("pong"));
 *   }
 *   static int32_t my_start(bothost_plugin *self, void *state) {
 *       bothost_handle h;
 *       return host->bus_subscribe(self, BOTHOST_STR("demo.ping"), on_ping, self, NULL, &h);
 *   }
 *   static const bothost_plugin_descriptor descriptor = {
 *       .struct_size = sizeof(bothost_plugin_descriptor),
 *       .abi_major = BOTHOST_ABI_MAJOR, .abi_minor = BOTHOST_ABI_MINOR,
 *       .name = "pinger", .version = "1.0.0", .description = "Answers demo.ping",
 *       .start = my_start,
 *   };
 *   BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) { host = api; return &descriptor; }
 *
 * Build: cc -shared -fPIC -I<dir of this header> -o libpinger.so pinger.c
 */
#ifndef BOTHOST_PLUGIN_H
#define BOTHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------------------------------------- */
/* Versions                                                                                         */
/* ----------------------------------------------------------------------------------------------- */

/** Breaking changes bump the major; a plugin must match it exactly. */
#define BOTHOST_ABI_MAJOR 1
/** Additions bump the minor; the host's must be >= the plugin's. */
#define BOTHOST_ABI_MINOR 0

/** The exported symbol the host looks up. */
#define BOTHOST_PLUGIN_ENTRY_SYMBOL "bothost_plugin_entry"

#if defined(__GNUC__) || defined(__clang__)
#define BOTHOST_EXPORT __attribute__((visibility("default")))
#else
#define BOTHOST_EXPORT
#endif

/* ----------------------------------------------------------------------------------------------- */
/* Basic types                                                                                      */
/* ----------------------------------------------------------------------------------------------- */

/** A UTF-8 string slice. Not NUL-terminated; `ptr` may be NULL when `len` is 0. */
typedef struct bothost_str {
    const char *ptr;
    size_t len;
} bothost_str;

/** A read-only byte slice. */
typedef struct bothost_bytes {
    const uint8_t *ptr;
    size_t len;
} bothost_bytes;

/** Memory the host allocated for the plugin. The plugin owns it and releases it with host->free. */
typedef struct bothost_buffer {
    uint8_t *ptr;
    size_t len;
} bothost_buffer;

/** Builds a bothost_str from a string literal. */
#define BOTHOST_STR(literal) ((bothost_str){ (literal), sizeof(literal) - 1 })

/**
 * A host-owned registration handle. 0 is never a valid handle. Handles are unique for the life of
 * the process and are never reused.
 */
typedef uint64_t bothost_handle;

/** The plugin instance as the host knows it. Opaque; pass it back to every host call. */
typedef struct bothost_plugin bothost_plugin;

/** Frees a registration's user_data. Called exactly once, on the plugin's executor. */
typedef void (*bothost_free_fn)(void *user_data);

/* ----------------------------------------------------------------------------------------------- */
/* Status codes                                                                                     */
/* ----------------------------------------------------------------------------------------------- */

/** Every host call returns one of these. Details: host->last_error(). */
typedef int32_t bothost_status;
enum {
    BOTHOST_OK = 0,
    BOTHOST_E_INVALID_ARGUMENT = 1, /**< a malformed argument (bad UTF-8, empty topic, bad JSON …) */
    BOTHOST_E_NOT_FOUND = 2,        /**< no such key / handle / interaction */
    BOTHOST_E_STOPPED = 3,          /**< the plugin is stopping or stopped; nothing was registered */
    BOTHOST_E_TIMEOUT = 4,          /**< a request or HTTP call did not complete in time */
    BOTHOST_E_NO_RESPONDER = 5,     /**< nobody serves that bus topic (or the server stopped) */
    BOTHOST_E_QUEUE_FULL = 6,       /**< a bounded queue overflowed; the event was dropped and counted */
    BOTHOST_E_CONFLICT = 7,         /**< already exists (command name, service topic) or already done */
    BOTHOST_E_UNSUPPORTED = 8,      /**< the host cannot do this (yet) */
    BOTHOST_E_IO = 9,               /**< storage or network failure */
    BOTHOST_E_TOO_LARGE = 10,       /**< a payload over a documented limit */
    BOTHOST_E_CANCELLED = 11,       /**< the call was cancelled (unregistered, or the plugin stopped) */
    BOTHOST_E_INTERNAL = 12,        /**< a host bug; please report it */
    BOTHOST_E_PLUGIN = 100          /**< first code a plugin may use for its own failures */
};

/* ----------------------------------------------------------------------------------------------- */
/* Logging                                                                                          */
/* ----------------------------------------------------------------------------------------------- */

typedef int32_t bothost_log_level;
enum {
    BOTHOST_LOG_TRACE = 0,
    BOTHOST_LOG_DEBUG = 1,
    BOTHOST_LOG_INFO = 2,
    BOTHOST_LOG_WARNING = 3,
    BOTHOST_LOG_ERROR = 4
};

/* ----------------------------------------------------------------------------------------------- */
/* Callback signatures                                                                              */
/* ----------------------------------------------------------------------------------------------- */

/** A timer fired. For a one-shot timer this is the last call before user_data_free. */
typedef void (*bothost_timer_fn)(void *user_data, bothost_handle timer);

/** A bus message arrived on a subscription. `topic` is the concrete topic it was published on. */
typedef void (*bothost_bus_fn)(void *user_data, bothost_handle subscription, bothost_str topic,
                               bothost_bytes payload);

/**
 * A request arrived for a topic this plugin serves. Answer with host->bus_reply(request, …), now or
 * later from any callback; an unanswered request times out on the requester's side.
 */
typedef void (*bothost_bus_serve_fn)(void *user_data, bothost_handle request, bothost_str topic,
                                     bothost_bytes payload);

/**
 * The answer to host->bus_request. `status` is BOTHOST_OK with the reply payload, the status the
 * server replied with (its payload describes the error), BOTHOST_E_TIMEOUT, BOTHOST_E_NO_RESPONDER
 * or BOTHOST_E_CANCELLED. Called exactly once per request, then user_data_free.
 */
typedef void (*bothost_reply_fn)(void *user_data, bothost_handle request, bothost_status status,
                                 bothost_bytes payload);

/** A cleanup hook, run while the plugin stops (last registered first, under a deadline). */
typedef void (*bothost_cleanup_fn)(void *user_data);

/** A function posted with host->post, run on the plugin's executor. */
typedef void (*bothost_task_fn)(void *user_data);

/**
 * Optional completion of a call whose result arrives later (interaction responses, storage writes).
 * `body` is the response body where there is one (for example the message Discord created).
 */
typedef void (*bothost_done_fn)(void *user_data, bothost_status status, bothost_bytes body);

/* ----------------------------------------------------------------------------------------------- */
/* Slash commands and interactions                                                                  */
/* ----------------------------------------------------------------------------------------------- */

/**
 * An invocation of one of the plugin's commands. Valid only during the handler; the `interaction`
 * handle stays valid for answering until Discord's interaction token expires (15 minutes) or the
 * plugin stops.
 */
typedef struct bothost_interaction {
    uint32_t struct_size;
    bothost_handle interaction; /**< pass to the interaction_* calls */
    bothost_str command;        /**< the top-level command name */
    bothost_str json;           /**< the whole interaction object, as Discord sends it */
    uint64_t user_id;           /**< who asked (snowflake) */
    uint64_t guild_id;          /**< 0 in DMs */
    uint64_t channel_id;
    uint64_t member_permissions;/**< the asker's permission bits in the channel (0 in DMs) */
    uint32_t is_owner;          /**< 1 when the asker is one of the host's configured owners */
} bothost_interaction;

/** A command was invoked. Answer with interaction_reply or interaction_defer within 3 seconds. */
typedef void (*bothost_command_fn)(void *user_data, const bothost_interaction *interaction);

/** Flags for interaction responses. */
enum {
    BOTHOST_REPLY_EPHEMERAL = 1u << 6 /**< only the asker sees it (Discord's message flag 64) */
};

/* ----------------------------------------------------------------------------------------------- */
/* Outbound HTTP                                                                                    */
/* ----------------------------------------------------------------------------------------------- */

typedef struct bothost_header {
    bothost_str name;
    bothost_str value;
} bothost_header;

typedef struct bothost_http_request {
    uint32_t struct_size;
    bothost_str method;            /**< "GET", "POST", …; empty means GET */
    bothost_str url;               /**< absolute http:// or https:// URL */
    const bothost_header *headers; /**< may be NULL */
    size_t header_count;
    bothost_bytes body;
    uint32_t timeout_ms;           /**< whole-request deadline; 0 means 30 000 */
    uint32_t max_body_bytes;       /**< refuse larger responses; 0 means 16 MiB */
} bothost_http_request;

typedef struct bothost_http_response {
    uint32_t struct_size;
    bothost_status status;         /**< BOTHOST_OK when an HTTP response arrived (any HTTP code) */
    uint32_t http_status;          /**< 200, 404, …; 0 when no response arrived */
    const bothost_header *headers;
    size_t header_count;
    bothost_bytes body;
    bothost_str error;             /**< why, when status is not BOTHOST_OK */
} bothost_http_response;

/** The HTTP call finished (or failed, timed out or was cancelled). Called exactly once. */
typedef void (*bothost_http_fn)(void *user_data, bothost_handle request,
                                const bothost_http_response *response);

/* ----------------------------------------------------------------------------------------------- */
/* Storage                                                                                          */
/* ----------------------------------------------------------------------------------------------- */

/** One entry of host->storage_list. Return 0 to continue, non-zero to stop the listing. */
typedef int32_t (*bothost_storage_visit_fn)(void *user_data, bothost_str key, bothost_bytes value);

/* ----------------------------------------------------------------------------------------------- */
/* The host API table                                                                               */
/* ----------------------------------------------------------------------------------------------- */

/**
 * The functions the host offers. Valid for the life of the process. Slots are only ever appended;
 * check BOTHOST_API_HAS(api, slot) before calling one added after minor 0.
 */
typedef struct bothost_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *host_version; /**< NUL-terminated, e.g. "0.1.0" */

    /* ---- errors and memory ------------------------------------------------------------------- */

    /**
     * Detail of the last failed host call on this thread; empty if none. Valid until the next host
     * call on this thread: read it straight after the failing call.
     */
    bothost_str (*last_error)(void);
    /** Releases a bothost_buffer's memory that the host handed out. NULL is fine. */
    void (*free)(void *ptr);

    /* ---- logging ----------------------------------------------------------------------------- */

    /** Logs a line tagged with the plugin's name. */
    void (*log)(bothost_plugin *self, bothost_log_level level, bothost_str message);

    /* ---- registrations in general ------------------------------------------------------------ */

    /**
     * Ends any registration: cancels a timer, an in-flight request or HTTP call (its callback then
     * gets BOTHOST_E_CANCELLED), removes a subscription, service, command or cleanup hook. Safe
     * inside the registration's own callback. Returns BOTHOST_OK for a handle that already ended.
     */
    bothost_status (*unregister)(bothost_plugin *self, bothost_handle handle);

    /**
     * Runs fn(user_data) on the plugin's executor, after the callbacks already queued. Once post has
     * returned BOTHOST_OK, fn runs exactly once — even if the plugin is being stopped meanwhile — so
     * whatever user_data holds is never stranded. (SDKs run their async jobs through this.)
     */
    bothost_status (*post)(bothost_plugin *self, bothost_task_fn fn, void *user_data);

    /* ---- timers ------------------------------------------------------------------------------ */

    /**
     * Starts a timer that first fires after delay_ms, then every interval_ms (0: once). A repeating
     * timer never queues more than one pending firing: a slow plugin skips ticks, it is not flooded.
     */
    bothost_status (*timer_start)(bothost_plugin *self, uint64_t delay_ms, uint64_t interval_ms,
                                  bothost_timer_fn fn, void *user_data, bothost_free_fn user_data_free,
                                  bothost_handle *out_timer);

    /** The host clock: milliseconds since the Unix epoch (tests may run the host on a manual clock). */
    int64_t (*now_ms)(bothost_plugin *self);

    /* ---- the bus ----------------------------------------------------------------------------- */

    /**
     * Publishes bytes (JSON by convention) on a dot-separated topic, e.g. "gamesessions.session.ended".
     * Returns once queued for every matching subscriber; each subscriber receives in publish order.
     * A subscriber whose queue is full loses the event; the loss is counted and reported.
     */
    bothost_status (*bus_publish)(bothost_plugin *self, bothost_str topic, bothost_bytes payload);

    /**
     * Subscribes to a topic pattern. Segments are separated by '.'; a segment "*" matches exactly one
     * segment; a final segment ">" matches one or more remaining segments ("discord.>").
     */
    bothost_status (*bus_subscribe)(bothost_plugin *self, bothost_str pattern, bothost_bus_fn fn,
                                    void *user_data, bothost_free_fn user_data_free,
                                    bothost_handle *out_subscription);

    /** Serves requests on an exact topic. One server per topic: a second gets BOTHOST_E_CONFLICT. */
    bothost_status (*bus_serve)(bothost_plugin *self, bothost_str topic, bothost_bus_serve_fn fn,
                                void *user_data, bothost_free_fn user_data_free,
                                bothost_handle *out_service);

    /**
     * Sends a request to the topic's server. fn is called exactly once: with the reply, with
     * BOTHOST_E_TIMEOUT after timeout_ms (0 means 5 000), with BOTHOST_E_NO_RESPONDER when no one
     * serves the topic or the server stops before replying.
     */
    bothost_status (*bus_request)(bothost_plugin *self, bothost_str topic, bothost_bytes payload,
                                  uint32_t timeout_ms, bothost_reply_fn fn, void *user_data,
                                  bothost_free_fn user_data_free, bothost_handle *out_request);

    /**
     * Answers a request received by a bothost_bus_serve_fn. `status` BOTHOST_OK for success, or an
     * error code with a payload that describes the error. A request can be answered once.
     */
    bothost_status (*bus_reply)(bothost_plugin *self, bothost_handle request, bothost_status status,
                                bothost_bytes payload);

    /* ---- slash commands ---------------------------------------------------------------------- */

    /**
     * Registers a slash command: `definition_json` is Discord's application command object
     * ({"name": …, "description": …, "options": […]}). Command names are unique across plugins.
     */
    bothost_status (*command_register)(bothost_plugin *self, bothost_str definition_json,
                                       bothost_command_fn fn, void *user_data,
                                       bothost_free_fn user_data_free, bothost_handle *out_command);

    /**
     * Answers an interaction with a message: `message_json` is a Discord message body
     * ({"content": …, "embeds": […]}); flags may include BOTHOST_REPLY_EPHEMERAL. done may be NULL.
     */
    bothost_status (*interaction_reply)(bothost_plugin *self, bothost_handle interaction,
                                        bothost_str message_json, uint32_t flags, bothost_done_fn done,
                                        void *user_data, bothost_free_fn user_data_free);

    /** Acknowledges now and answers later ("is thinking…"); then use interaction_edit or followup. */
    bothost_status (*interaction_defer)(bothost_plugin *self, bothost_handle interaction,
                                        uint32_t flags, bothost_done_fn done, void *user_data,
                                        bothost_free_fn user_data_free);

    /** Sends a further message after a reply or defer. */
    bothost_status (*interaction_followup)(bothost_plugin *self, bothost_handle interaction,
                                           bothost_str message_json, uint32_t flags,
                                           bothost_done_fn done, void *user_data,
                                           bothost_free_fn user_data_free);

    /** Edits the original response (the reply, or the deferred "thinking" message). */
    bothost_status (*interaction_edit)(bothost_plugin *self, bothost_handle interaction,
                                       bothost_str message_json, bothost_done_fn done,
                                       void *user_data, bothost_free_fn user_data_free);

    /* ---- configuration ----------------------------------------------------------------------- */

    /** A copy of the plugin's "config" object from plugins.json (JSON; "{}" when absent). */
    bothost_status (*config_get)(bothost_plugin *self, bothost_buffer *out_json);

    /* ---- durable key-value storage (this plugin's own namespace) ----------------------------- */

    /** Reads a key into a new buffer. BOTHOST_E_NOT_FOUND when absent. */
    bothost_status (*storage_get)(bothost_plugin *self, bothost_str key, bothost_buffer *out_value);

    /** Writes a key. Returns once the write is committed: it survives a crash or kill -9. */
    bothost_status (*storage_set)(bothost_plugin *self, bothost_str key, bothost_bytes value);

    /** Deletes a key (absent keys are fine). Committed on return. */
    bothost_status (*storage_delete)(bothost_plugin *self, bothost_str key);

    /** Visits every key starting with `prefix` (empty: all), in key order, synchronously. */
    bothost_status (*storage_list)(bothost_plugin *self, bothost_str prefix,
                                   bothost_storage_visit_fn visit, void *user_data);

    /* ---- outbound HTTP ----------------------------------------------------------------------- */

    /** Starts an HTTP request. fn is called exactly once with the response or the failure. */
    bothost_status (*http_request)(bothost_plugin *self, const bothost_http_request *request,
                                   bothost_http_fn fn, void *user_data,
                                   bothost_free_fn user_data_free, bothost_handle *out_request);

    /* ---- cleanup ----------------------------------------------------------------------------- */

    /** Registers a hook run when the plugin stops (last registered runs first). */
    bothost_status (*cleanup_register)(bothost_plugin *self, bothost_cleanup_fn fn, void *user_data,
                                       bothost_free_fn user_data_free, bothost_handle *out_hook);

    /*
     * Reserved for later minor versions, appended here in this order:
     *   - Discord REST through the host's rate limiter: discord_request(self, method, route, body,
     *     reason, fn, …) — the host adds the token; plugins never see it.
     *   - Interaction routing for autocomplete and message components (custom_id prefixes).
     *   - Voice: voice_join / voice_leave with results by callback, voice_send_pcm / voice_send_opus,
     *     voice_subscribe_audio (decoded PCM per user), speaking and connection-state events.
     * Always test with BOTHOST_API_HAS before calling a slot added after minor 0.
     */
} bothost_host_api;

/** True when the host's table is large enough to contain `slot` (a field name of bothost_host_api). */
#define BOTHOST_API_HAS(api, slot)                                                                 \
    ((api) != NULL && (api)->struct_size >= offsetof(bothost_host_api, slot) + sizeof((api)->slot) && \
     (api)->slot != NULL)

/* ----------------------------------------------------------------------------------------------- */
/* The plugin descriptor                                                                            */
/* ----------------------------------------------------------------------------------------------- */

/**
 * init: allocate state and read the config (host->config_get). Store the state in *out_state; it is
 * passed back to every lifecycle callback. On failure return a non-zero status and set *out_reason to
 * a message (plugin memory, copied by the host on return): the plugin is refused and stays unloaded.
 * No registrations may be made in init; do them in start.
 */
typedef bothost_status (*bothost_init_fn)(bothost_plugin *self, void **out_state,
                                          bothost_str *out_reason);

/**
 * start: register timers, subscriptions, commands. On failure return a non-zero status and a reason
 * as for init: the host then stops the plugin as usual (cleanup hooks, the stop callback, removal of
 * what start had registered) and reports it refused.
 */
typedef bothost_status (*bothost_start_fn)(bothost_plugin *self, void *state, bothost_str *out_reason);

/**
 * stop: release state. Called once, after the cleanup hooks; after it, the host removes everything
 * the plugin still holds. No further callback reaches the plugin except user_data_free calls.
 */
typedef void (*bothost_stop_fn)(bothost_plugin *self, void *state);

/**
 * config_changed: plugins.json gave the plugin a new config while it runs. Return BOTHOST_OK if the
 * plugin applied it; any other status (or a NULL slot) makes the host restart the plugin
 * (stop, init, start) with the new config.
 */
typedef bothost_status (*bothost_config_changed_fn)(bothost_plugin *self, void *state,
                                                    bothost_str new_config_json);

/** What bothost_plugin_entry returns. Must stay valid for the life of the process (static storage). */
typedef struct bothost_plugin_descriptor {
    uint32_t struct_size;      /**< sizeof(bothost_plugin_descriptor) as the plugin was built */
    uint32_t abi_major;        /**< BOTHOST_ABI_MAJOR */
    uint32_t abi_minor;        /**< BOTHOST_ABI_MINOR */
    const char *name;          /**< NUL-terminated; [a-z0-9_-], 1–64 characters; unique per host */
    const char *version;       /**< NUL-terminated, semantic version recommended */
    const char *description;   /**< NUL-terminated, one line */
    uint64_t gateway_intents;  /**< Discord gateway intent bits the plugin needs (the host ORs them) */
    bothost_init_fn init;      /**< optional */
    bothost_start_fn start;    /**< optional */
    bothost_stop_fn stop;      /**< optional */
    bothost_config_changed_fn config_changed; /**< optional */
} bothost_plugin_descriptor;

/** The one exported function. The host passes its table; the plugin returns its descriptor. */
typedef const bothost_plugin_descriptor *(*bothost_plugin_entry_fn)(const bothost_host_api *host);

/** The entry function's prototype (a library defines it with BOTHOST_PLUGIN_ENTRY). */
#ifndef BOTHOST_NO_ENTRY_PROTOTYPE
BOTHOST_EXPORT const bothost_plugin_descriptor *bothost_plugin_entry(const bothost_host_api *host);
#endif

/** Declares the entry function with the right name, linkage and visibility. */
#define BOTHOST_PLUGIN_ENTRY(param)                                                                \
    BOTHOST_EXPORT const bothost_plugin_descriptor *bothost_plugin_entry(param)

#ifdef __cplusplus
}
#endif

#endif /* BOTHOST_PLUGIN_H */
