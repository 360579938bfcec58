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
 *     description, the ABI it was built against, the gateway intents it needs, its lifecycle
 *     callbacks and (minor 4) the names it owns besides its own (NAMES). The entry function must
 *     have no side effects: the host also calls it just to inspect a library (`bothost plugins
 *     check FILE.so`).
 *
 *  2. Versions. A plugin's descriptor names the ABI major it was built for and the lowest minor it
 *     *requires*: BOTHOST_REQUIRED_MINOR, which is the header's BOTHOST_ABI_MINOR unless the plugin
 *     defines it lower before including this file. The host loads a plugin whose major equals its
 *     own and whose required minor it offers (host minor >= required minor); anything else is
 *     refused with both versions, the path and the fix. So a plugin built with a newer header runs
 *     on an older host as long as it requires no more than that host offers, and every slot or
 *     field newer than its required minor is optional: check slots with BOTHOST_API_HAS() and read
 *     newer struct fields only when struct_size covers them (an older host leaves them zero).
 *     Minor versions only ever add: new functions at the end of the table, new fields at the end of
 *     structs. A function whose meaning changes gets a new name; the old one stays.
 *
 *  3. Sizes. Every struct that crosses the boundary starts with `uint32_t struct_size`. The receiver
 *     copies min(struct_size, sizeof) into zeroed memory, so older peers read zeros for newer fields.
 *     Before calling a table slot newer than the plugin's required minor, check it with
 *     BOTHOST_API_HAS(). Structs without a struct_size (bothost_str, bothost_bytes, bothost_buffer,
 *     bothost_header) never change.
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
 *     (A registering call made through the pointer of a plugin that has already been stopped and
 *     released finds no executor: it frees user_data on the calling thread and fails with
 *     BOTHOST_E_STOPPED.)
 *     The one exception is host->post, which takes no user_data_free: once post has returned
 *     BOTHOST_OK its function runs exactly once and owns user_data; if post fails, user_data is
 *     still the caller's to free.
 *
 *  6. Handles. Every registration (timer, bus subscription, bus service, command, component or
 *     autocomplete handler, bus request, HTTP or Discord call in flight, voice subscription, cleanup
 *     hook) yields a host-owned bothost_handle recorded against the plugin. host->unregister() ends
 *     any of them; calling it from inside the registration's own callback is safe, and calling it
 *     twice is harmless. A plugin holds at most a configured number of each kind at once (the
 *     host's settings; e.g. 10 000 timers by default): one more fails with BOTHOST_E_TOO_LARGE
 *     and registers nothing, until others end. When a plugin stops, the host removes everything it still holds, even what
 *     the plugin forgot. The exceptions are the answers to an interaction (interaction_reply,
 *     _defer, _followup, _edit, _respond) and voice_join / voice_leave: they take (done, user_data,
 *     user_data_free) but return no handle and cannot be cancelled. Each ends when done has been
 *     called — or when the plugin stops first, and then done is not called — and user_data_free
 *     follows either way.
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
 *     The user_data_free calls of that last step run after the stop callback, while the plugin is
 *     still "stopping": inside them host->log, bus_publish, config_get and the storage calls still
 *     work, and every registering call fails with BOTHOST_E_STOPPED (freeing its own user_data).
 *     The stop callback has already run, so a free must not touch state it released. Once the
 *     plugin has stopped, every host call that takes it returns BOTHOST_E_STOPPED (and log lines may
 *     be dropped); a stale bothost_plugin pointer never crashes the host.
 *
 * 11. Isolation. The operator may run a plugin in a process of its own (plugins.json
 *     "isolation": "process"). The plugin needs no change and sees the same table and the same rules
 *     1–10; its calls and callbacks cross a socket to the host, so a call that returns something
 *     (a handle, a status, storage) takes a round trip. Its process starts with an empty
 *     environment (getenv finds nothing of the host's), its own limits on memory and open files,
 *     and a fresh copy of the library, so init() runs in a new process after every restart. If it
 *     crashes, the host restarts it; its storage is kept. Its user_data_free calls still run
 *     exactly once — unless the process ends first, which frees everything with it.
 *
 * ---------------------------------------------------------------------------------------------------
 * A MINIMAL PLUGIN
 * ---------------------------------------------------------------------------------------------------
 *
 * Every ```c block in this header and in the README is compiled by the test suite, as C99 and as
 * C++17, with -Wall -Wextra -Werror: the examples are complete files that build as they stand.
 * The descriptor names every field, in order: C++ accepts designated initializers only in order
 * (standard from C++20; g++ and clang++ take them earlier), and warns about any left out.
 *
 * ```c
 * #include "bothost_plugin.h"
 *
 * static const bothost_host_api *host;
 *
 * static void on_ping(void *user_data, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
 *     bothost_plugin *self = (bothost_plugin *)user_data;
 *     (void)sub; (void)topic; (void)payload;
 *     host->log(self, BOTHOST_LOG_INFO, BOTHOST_STR("pong"));
 * }
 *
 * static bothost_status my_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
 *     bothost_handle subscription;
 *     (void)state;
 *     if (host->bus_subscribe(self, BOTHOST_STR("demo.ping"), on_ping, self, NULL, &subscription) != BOTHOST_OK) {
 *         *out_reason = host->last_error();
 *         return BOTHOST_E_PLUGIN;
 *     }
 *     return BOTHOST_OK;
 * }
 *
 * static const bothost_plugin_descriptor descriptor = {
 *     .struct_size = sizeof(bothost_plugin_descriptor),
 *     .abi_major = BOTHOST_ABI_MAJOR, .abi_minor = BOTHOST_REQUIRED_MINOR,
 *     .name = "pinger", .version = "1.0.0", .description = "Answers demo.ping",
 *     .gateway_intents = 0,
 *     .init = NULL, .start = my_start, .stop = NULL, .config_changed = NULL,
 *     .owned_names = NULL,
 * };
 *
 * BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) { host = api; return &descriptor; }
 * ```
 *
 * Build: cc -shared -fPIC -I<dir of this header> -o libpinger.so pinger.c
 *
 * ---------------------------------------------------------------------------------------------------
 * RUNNING ON OLDER HOSTS
 * ---------------------------------------------------------------------------------------------------
 *
 * Built as above, a plugin requires the header's minor. To run on older hosts too, define
 * BOTHOST_REQUIRED_MINOR before the include and test every newer slot before calling it:
 *
 * ```c
 * #define BOTHOST_REQUIRED_MINOR 0 // loads on every 1.x host
 * #include "bothost_plugin.h"
 *
 * static const bothost_host_api *host;
 *
 * static void on_posted(void *user_data, bothost_handle request, bothost_status status,
 *                       uint32_t http_status, bothost_bytes body) {
 *     (void)user_data; (void)request; (void)status; (void)http_status; (void)body;
 * }
 *
 * static void announce(bothost_plugin *self, bothost_str message_json) {
 *     bothost_bytes body = { (const uint8_t *)message_json.ptr, message_json.len };
 *     if (BOTHOST_API_HAS(host, discord_request)) { // minor 1
 *         bothost_handle call;
 *         if (host->discord_request(self, BOTHOST_STR("POST"), BOTHOST_STR("/channels/123/messages"), body,
 *                                   BOTHOST_STR(""), on_posted, NULL, NULL, &call) == BOTHOST_OK) {
 *             return;
 *         }
 *     }
 *     // A 1.0 host has no Discord REST (and a host without a token refuses it): use the bus.
 *     host->bus_publish(self, BOTHOST_STR("announcer.text"), body);
 * }
 *
 * static bothost_status my_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
 *     (void)state; (void)out_reason;
 *     announce(self, BOTHOST_STR("{\"content\": \"announcer is up\"}"));
 *     return BOTHOST_OK;
 * }
 *
 * static const bothost_plugin_descriptor descriptor = {
 *     .struct_size = sizeof(bothost_plugin_descriptor),
 *     .abi_major = BOTHOST_ABI_MAJOR, .abi_minor = BOTHOST_REQUIRED_MINOR,
 *     .name = "announcer", .version = "1.0.0", .description = "Announces itself",
 *     .gateway_intents = 0,
 *     .init = NULL, .start = my_start, .stop = NULL, .config_changed = NULL,
 *     .owned_names = NULL,
 * };
 *
 * BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) { host = api; return &descriptor; }
 * ```
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
/** Additions bump the minor: the minor this header describes (rule 2). */
#define BOTHOST_ABI_MINOR 4

/**
 * The lowest host minor the plugin needs, written to its descriptor's abi_minor (rule 2). It is
 * this header's minor unless the plugin defines it lower before including the header; the host
 * loads the plugin only if it offers at least this minor, and every newer slot is then optional.
 */
#ifndef BOTHOST_REQUIRED_MINOR
#define BOTHOST_REQUIRED_MINOR BOTHOST_ABI_MINOR
#endif
#if BOTHOST_REQUIRED_MINOR > BOTHOST_ABI_MINOR
#error "BOTHOST_REQUIRED_MINOR is newer than this header's BOTHOST_ABI_MINOR"
#endif

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

/** Builds a bothost_str from a string literal (a compound literal in C, a temporary in C++). */
#ifdef __cplusplus
#define BOTHOST_STR(literal) (bothost_str{ (literal), sizeof(literal) - 1 })
#else
#define BOTHOST_STR(literal) ((bothost_str){ (literal), sizeof(literal) - 1 })
#endif

/**
 * A host-owned registration handle. 0 is never a valid handle. Handles are unique for the life of
 * the process and are never reused.
 */
typedef uint64_t bothost_handle;

/** The plugin instance as the host knows it. Opaque; pass it back to every host call. */
typedef struct bothost_plugin bothost_plugin;

/**
 * Frees a registration's user_data. Called exactly once, on the plugin's executor — during stop,
 * after the stop callback; which host calls still work there is rule 10.
 */
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
    BOTHOST_E_TOO_LARGE = 10,       /**< a payload over a documented limit; or (minor 4) the plugin
                                         already holds its limit of registrations of that kind */
    BOTHOST_E_CANCELLED = 11,       /**< the call was cancelled (unregistered, or the plugin stopped) */
    BOTHOST_E_INTERNAL = 12,        /**< a host bug; please report it */
    BOTHOST_E_DENIED = 13,          /**< not this plugin's to do: a name reserved for the host or owned
                                         by another plugin (see NAMES below); older hosts never
                                         return it */
    BOTHOST_E_WRONG_TYPE = 14,      /**< minor 4, the json_* calls: the value there is not of the type
                                         asked for (a string read as an integer, 1.5 or 2^63 read as
                                         an integer, null read as anything) */
    BOTHOST_E_BAD_POINTER = 15,     /**< minor 4, the json_* calls: the JSON Pointer is not valid
                                         RFC 6901 (not empty and not starting with '/', a '~' not
                                         followed by 0 or 1, not UTF-8) */
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

/** Details of the bus message being delivered; see host->bus_message_info (minor 1). */
typedef struct bothost_bus_message_info {
    uint32_t struct_size;   /**< set by the caller: sizeof(bothost_bus_message_info) */
    int32_t shard;          /**< the gateway shard of a discord.* dispatch; -1 for other messages */
    int64_t sequence;       /**< the gateway sequence number of a discord.* dispatch; 0 otherwise */
    bothost_str publisher;  /**< the publishing plugin's name; empty when the host published */
} bothost_bus_message_info;

/* ----------------------------------------------------------------------------------------------- */
/* Slash commands and interactions                                                                  */
/* ----------------------------------------------------------------------------------------------- */

/** What kind of interaction a handler received: Discord's interaction type (minor 2). */
typedef uint32_t bothost_interaction_kind;
enum {
    BOTHOST_INTERACTION_COMMAND = 2,      /**< a slash, user or message command (command_register) */
    BOTHOST_INTERACTION_COMPONENT = 3,    /**< a button or select menu was used (component_register) */
    BOTHOST_INTERACTION_AUTOCOMPLETE = 4, /**< the user is typing an option (autocomplete_register) */
    BOTHOST_INTERACTION_MODAL_SUBMIT = 5  /**< a modal was submitted (component_register) */
};

/**
 * An interaction routed to the plugin: one of its commands, components or autocompletes. Valid
 * only during the handler; the `interaction` handle stays valid for answering until Discord's
 * interaction token expires (15 minutes) or the plugin stops.
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
    /* minor 2: an older host's struct_size ends before these; read them as zero (kind 0: a command) */
    bothost_interaction_kind kind; /**< BOTHOST_INTERACTION_*: what happened */
    bothost_str custom_id;      /**< components and modal submits: the control's custom_id; else empty */
} bothost_interaction;

/**
 * A command was invoked (or, for handlers registered with component_register or
 * autocomplete_register, a component used or an option typed). Answer within 3 seconds: commands with
 * interaction_reply or interaction_defer; components and autocompletes with interaction_respond.
 */
typedef void (*bothost_command_fn)(void *user_data, const bothost_interaction *interaction);

/** Flags for interaction responses. */
enum {
    BOTHOST_REPLY_EPHEMERAL = 1u << 6 /**< only the asker sees it (Discord's message flag 64) */
};

/** Initial response types for host->interaction_respond: Discord's interaction callback types. */
typedef uint32_t bothost_response_type;
enum {
    BOTHOST_RESPOND_MESSAGE = 4,          /**< a message (same as interaction_reply) */
    BOTHOST_RESPOND_DEFER_MESSAGE = 5,    /**< "thinking…", then edit or follow up (interaction_defer) */
    BOTHOST_RESPOND_DEFER_UPDATE = 6,     /**< components: acknowledge, update the message later */
    BOTHOST_RESPOND_UPDATE_MESSAGE = 7,   /**< components: edit the message the component is on */
    BOTHOST_RESPOND_AUTOCOMPLETE = 8,     /**< autocomplete: {"choices": [{"name": …, "value": …}]} */
    BOTHOST_RESPOND_MODAL = 9             /**< commands and components: open a modal */
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
/* Discord REST (minor 1)                                                                           */
/* ----------------------------------------------------------------------------------------------- */

/**
 * A Discord REST call finished. Called exactly once, then user_data_free.
 *
 * `status` is BOTHOST_OK whenever Discord answered — with any HTTP status: `http_status` is 200, 204,
 * 400, 403, 404 …, and `body` is Discord's answer (the created object, or its error JSON such as
 * {"code": 50013, "message": "Missing Permissions"}). Rate-limit 429s are waited out and retried by
 * the host; one reaches the plugin only after several attempts failed.
 *
 * Otherwise no answer arrived and `http_status` is 0: BOTHOST_E_TIMEOUT, BOTHOST_E_IO (connection
 * failure after the retries that were safe, or the host refused the request to protect the bot from
 * an invalid-request ban), BOTHOST_E_CANCELLED (unregistered, or the host is shutting down). Then
 * `body` is {"error": "…"} describing why.
 */
typedef void (*bothost_discord_fn)(void *user_data, bothost_handle request, bothost_status status,
                                   uint32_t http_status, bothost_bytes body);

/* ----------------------------------------------------------------------------------------------- */
/* Voice (minor 3)                                                                                  */
/* ----------------------------------------------------------------------------------------------- */

/*
 * The bot has one voice connection per guild, shared by the plugins that asked for it: voice_join
 * makes the calling plugin a holder, voice_leave (or the plugin stopping) releases its hold, and the
 * host leaves the channel when no plugin holds it any more. Audio is 48 kHz stereo in 20 ms frames:
 * 960 samples per channel, PCM as interleaved signed 16-bit native-endian samples (3 840 bytes), or
 * one Opus packet. The host encodes, encrypts, paces and sends; it receives, decrypts, reorders and
 * decodes per speaker.
 */

/** Flags for voice_join. */
enum {
    BOTHOST_VOICE_SELF_MUTE = 1u << 0,
    BOTHOST_VOICE_SELF_DEAF = 1u << 1
};

/** The audio a plugin sends or subscribes to. */
typedef uint32_t bothost_audio_format;
enum {
    BOTHOST_AUDIO_PCM = 1,  /**< 960 x 2 interleaved int16 samples per frame */
    BOTHOST_AUDIO_OPUS = 2  /**< one Opus packet per frame, as on the wire (no re-encoding) */
};

/** PCM frame size in samples (both channels) and bytes. */
#define BOTHOST_VOICE_FRAME_SAMPLES 1920
#define BOTHOST_VOICE_FRAME_BYTES 3840

/** What a voice event reports. */
typedef uint32_t bothost_voice_event_kind;
enum {
    BOTHOST_VOICE_CONNECTED = 1,    /**< the bot is in channel_id and audio can flow */
    BOTHOST_VOICE_RECONNECTING = 2, /**< the voice connection dropped; the host is resuming it */
    BOTHOST_VOICE_DISCONNECTED = 3, /**< the bot left, was disconnected or the connection failed for
                                         good; `reason` says which */
    BOTHOST_VOICE_MOVED = 4,        /**< someone moved the bot to channel_id */
    BOTHOST_VOICE_SPEAKING = 5,     /**< user_id started (speaking != 0) or stopped speaking */
    BOTHOST_VOICE_USER_JOINED = 6,  /**< user_id entered the bot's channel */
    BOTHOST_VOICE_USER_LEFT = 7,    /**< user_id left the bot's channel */
    BOTHOST_VOICE_SEND_DRAINED = 8, /**< every frame queued by voice_send has gone out */
    BOTHOST_VOICE_ENCRYPTION = 9    /**< minor 4: the call's end-to-end encryption (DAVE) changed:
                                         reason says how, for people, with the voice privacy code when
                                         encrypted. Sent only to plugins requiring minor 4 or later, so
                                         an older plugin never sees a kind it does not know */
};

typedef struct bothost_voice_event {
    uint32_t struct_size;
    bothost_voice_event_kind kind;
    uint64_t guild_id;
    uint64_t channel_id; /**< the bot's voice channel; 0 when disconnected */
    uint64_t user_id;    /**< SPEAKING, USER_JOINED, USER_LEFT */
    uint32_t speaking;   /**< SPEAKING: Discord's speaking flags (1 microphone …); 0 stopped */
    bothost_str reason;  /**< RECONNECTING, DISCONNECTED: why; ENCRYPTION: the state; for people */
} bothost_voice_event;

/** One 20 ms frame a user sent, in the format subscribed to. */
typedef struct bothost_voice_frame {
    uint32_t struct_size;
    uint64_t guild_id;
    uint64_t user_id;       /**< the speaker; 0 while their SSRC is not yet known */
    uint32_t ssrc;
    uint32_t rtp_timestamp; /**< 48 kHz sample clock of the speaker's stream */
    uint16_t sequence;      /**< RTP sequence number */
    uint16_t concealed;     /**< PCM: 1 when the packet was lost and this frame was concealed */
    const int16_t *pcm;     /**< PCM: BOTHOST_VOICE_FRAME_SAMPLES samples; NULL for OPUS */
    bothost_bytes opus;     /**< OPUS: the packet as received (after transport decryption) */
} bothost_voice_frame;

typedef void (*bothost_voice_event_fn)(void *user_data, bothost_handle subscription,
                                       const bothost_voice_event *event);
typedef void (*bothost_voice_frame_fn)(void *user_data, bothost_handle subscription,
                                       const bothost_voice_frame *frame);

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
 * check BOTHOST_API_HAS(api, slot) before calling one newer than the plugin's required minor
 * (rule 2). abi_minor is the minor the host offers, struct_size covers exactly its slots.
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
     * The exception to rule 5: there is no user_data_free and no handle. fn owns user_data; when
     * post fails (BOTHOST_E_STOPPED once the plugin has stopped), user_data stays the caller's.
     */
    bothost_status (*post)(bothost_plugin *self, bothost_task_fn fn, void *user_data);

    /* ---- timers ------------------------------------------------------------------------------ */

    /**
     * Starts a timer that first fires after delay_ms, then every interval_ms (0: once). A repeating
     * timer never queues more than one pending firing: a slow plugin skips ticks, it is not flooded.
     * Plugins' timers fire fairly: however many of another plugin's timers are due, this one waits
     * for at most one round of them (a few dozen firings), not for all.
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
     * A subscriber whose queue is full (in events or in bytes) loses the event; the loss is
     * counted and reported (host.bus.overflow).
     * Topics under "discord." and "host." are the host's own (Discord's dispatches, the host's
     * news): publishing or serving there returns BOTHOST_E_DENIED, so what a plugin receives on
     * them always comes from Discord or the host. Topics under another running plugin's names
     * are that plugin's: publishing there is BOTHOST_E_DENIED too (minor 4; see NAMES).
     */
    bothost_status (*bus_publish)(bothost_plugin *self, bothost_str topic, bothost_bytes payload);

    /**
     * Subscribes to a topic pattern. Segments are separated by '.'; a segment "*" matches exactly one
     * segment; a final segment ">" matches one or more remaining segments ("discord.>"). The topics
     * the host publishes (discord.<EVENT> with the intent each needs, host.*) are listed under
     * "Events on the bus" below.
     */
    bothost_status (*bus_subscribe)(bothost_plugin *self, bothost_str pattern, bothost_bus_fn fn,
                                    void *user_data, bothost_free_fn user_data_free,
                                    bothost_handle *out_subscription);

    /**
     * Serves requests on an exact topic. One server per topic: a second gets BOTHOST_E_CONFLICT.
     * From minor 4 a plugin serves only under its own names (see NAMES): "ratelimit.acquire" only
     * by the plugin named "ratelimit" or one that declares "ratelimit"; anything else is
     * BOTHOST_E_DENIED, so nobody can answer another plugin's requests.
     */
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
     * error code with a payload that describes the error. A request can be answered once: a second
     * bus_reply — like a reply to a request that already timed out or whose requester unregistered
     * it or stopped — returns BOTHOST_E_NOT_FOUND and delivers nothing.
     */
    bothost_status (*bus_reply)(bothost_plugin *self, bothost_handle request, bothost_status status,
                                bothost_bytes payload);

    /* ---- slash commands ---------------------------------------------------------------------- */

    /**
     * Registers a slash command: `definition_json` is Discord's application command object
     * ({"name": …, "description": …, "options": […]}). Command names are unique across plugins:
     * a name another plugin registered is BOTHOST_E_CONFLICT, and (minor 4) a name another
     * running plugin owns (see NAMES) is BOTHOST_E_DENIED even before that plugin registers it.
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

    /**
     * A copy of the plugin's "config" object from plugins.json (JSON; "{}" when absent), in a new
     * buffer the plugin releases with host->free. The buffer holds exactly `len` bytes and is NOT
     * NUL-terminated: copy it into len + 1 bytes before using C string functions on it. The config
     * is the one the plugin was (re)started or last reconfigured with.
     */
    bothost_status (*config_get)(bothost_plugin *self, bothost_buffer *out_json);

    /* ---- durable key-value storage (this plugin's own namespace) ----------------------------- */

    /**
     * Reads a key into a new buffer (exactly the stored bytes, not NUL-terminated; release it with
     * host->free). BOTHOST_E_NOT_FOUND when absent.
     */
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

    /* ---- Discord REST (minor 1: check BOTHOST_API_HAS(host, discord_request)) ---------------- */

    /**
     * Sends a request to Discord's REST API as the bot, through the host's rate limiter: per-route
     * buckets, the global limit, 429s and the invalid-request guard are the host's business, and
     * requests to one endpoint and channel/guild/webhook leave in the order they were made. The host
     * adds the bot token; the plugin never sees it.
     *
     *   method       "GET", "POST", "PUT", "PATCH" or "DELETE" (any case)
     *   path         relative to the API base, with an optional query: "/channels/123/messages",
     *                "/guilds/456/members?limit=100". Must start with "/"; "..", "//", "\", "#",
     *                non-ASCII bytes (percent-encode them) and escapes of "/" or "." are refused.
     *   json_body    a JSON document, or empty for none. A message create (POST
     *                /channels/{id}/messages) without a "nonce" gets a random one with
     *                "enforce_nonce": true, so that the host can retry it without posting twice.
     *   audit_reason X-Audit-Log-Reason (up to 512 characters; the host URL-encodes it), or empty.
     *   fn           called exactly once with the outcome (see bothost_discord_fn).
     *
     * A malformed method, path, body or reason fails here with BOTHOST_E_INVALID_ARGUMENT. A host
     * without a bot token returns BOTHOST_E_UNSUPPORTED (last_error says so). REST needs only the
     * token: with one, this works from a plugin's start on, before the gateway is up. A plugin that
     * needs the gateway (events, voice) can wait for the bus event "host.gateway.ready"
     * ({"resumed":false,"shard":0,"shardCount":1}); "host.gateway.lost" ({"reason":"…","shard":0,
     * "shardCount":1}) says a ready shard is reconnecting or has stopped.
     * host->unregister(*out_request) cancels the call: fn then gets BOTHOST_E_CANCELLED (a request
     * already sent may still take effect on Discord's side).
     */
    bothost_status (*discord_request)(bothost_plugin *self, bothost_str method, bothost_str path,
                                      bothost_bytes json_body, bothost_str audit_reason,
                                      bothost_discord_fn fn, void *user_data,
                                      bothost_free_fn user_data_free, bothost_handle *out_request);

    /* ---- bus message details (minor 1: check BOTHOST_API_HAS(host, bus_message_info)) ------- */

    /**
     * Inside a bothost_bus_fn: where the message being delivered came from — for a discord.<EVENT>
     * dispatch, the gateway shard and sequence number. Fills the fields that out->struct_size
     * covers (set it to sizeof(bothost_bus_message_info) first). BOTHOST_E_NOT_FOUND when called
     * outside a bus callback.
     */
    bothost_status (*bus_message_info)(bothost_plugin *self, bothost_bus_message_info *out);

    /* ---- components, autocomplete and general responses (minor 2) ----------------------------- */

    /**
     * Routes message components (buttons, select menus) and modal submits whose custom_id starts with
     * `custom_id_prefix` to fn (bothost_interaction.kind tells which; .custom_id is the whole id).
     * Put the prefix first in every custom_id the plugin creates, e.g. "poll:vote:42". A prefix is
     * 1–100 characters; it may not be a prefix of another registered one or have one as its prefix
     * (BOTHOST_E_CONFLICT names the owner), so exactly one plugin owns each custom_id. A component
     * nobody owns gets an ephemeral "not handled" reply from the host.
     */
    bothost_status (*component_register)(bothost_plugin *self, bothost_str custom_id_prefix,
                                         bothost_command_fn fn, void *user_data,
                                         bothost_free_fn user_data_free, bothost_handle *out_handler);

    /**
     * Routes autocomplete for the plugin's own command `command_name` (register the command first;
     * another plugin's command is BOTHOST_E_CONFLICT, an unknown one BOTHOST_E_NOT_FOUND). Answer
     * with interaction_respond(BOTHOST_RESPOND_AUTOCOMPLETE, {"choices": […]}) within 3 seconds;
     * the host answers with no choices if the plugin has not after about 2.5 s.
     */
    bothost_status (*autocomplete_register)(bothost_plugin *self, bothost_str command_name,
                                            bothost_command_fn fn, void *user_data,
                                            bothost_free_fn user_data_free,
                                            bothost_handle *out_handler);

    /**
     * The initial response to an interaction, of any type (bothost_response_type). `data_json` is the
     * callback's "data" object: a message for MESSAGE and UPDATE_MESSAGE, {"choices": […]} for
     * AUTOCOMPLETE, a modal for MODAL; empty (or {"flags": 64}) for the two DEFER types. A type that
     * does not fit the interaction (UPDATE_MESSAGE to a command, anything but AUTOCOMPLETE to an
     * autocomplete) is BOTHOST_E_INVALID_ARGUMENT; a second initial response is BOTHOST_E_CONFLICT.
     * If the host already deferred for a slow plugin, a late MESSAGE becomes a follow-up (or the edit
     * of the host's ephemeral "thinking" message) and a late UPDATE_MESSAGE an edit of the message.
     */
    bothost_status (*interaction_respond)(bothost_plugin *self, bothost_handle interaction,
                                          bothost_response_type type, bothost_str data_json,
                                          bothost_done_fn done, void *user_data,
                                          bothost_free_fn user_data_free);

    /* ---- voice (minor 3: check BOTHOST_API_HAS(host, voice_join)) ---------------------------- */

    /**
     * Joins (or holds) the guild's voice channel. done gets BOTHOST_OK with
     * {"guild_id": "…", "channel_id": "…", "mode": "<transport encryption>"} once audio can flow, or
     * a failure status with {"error": "…"}: BOTHOST_E_TIMEOUT (Discord did not answer), BOTHOST_E_IO
     * (the voice server refused or failed), BOTHOST_E_CONFLICT (another plugin holds the guild's
     * voice in a different channel; moving is only for a sole holder), BOTHOST_E_UNSUPPORTED (no
     * Discord connection). Joining the channel the bot is already in just adds the hold.
     * flags: BOTHOST_VOICE_SELF_MUTE, BOTHOST_VOICE_SELF_DEAF.
     */
    bothost_status (*voice_join)(bothost_plugin *self, uint64_t guild_id, uint64_t channel_id,
                                 uint32_t flags, bothost_done_fn done, void *user_data,
                                 bothost_free_fn user_data_free);

    /**
     * Releases the plugin's hold on the guild's voice connection; the bot leaves when no plugin
     * holds it. Frames the plugin queued are dropped. done (may be NULL) gets BOTHOST_OK once the
     * hold is released (and, if it was the last, the bot has left).
     */
    bothost_status (*voice_leave)(bothost_plugin *self, uint64_t guild_id, bothost_done_fn done,
                                  void *user_data, bothost_free_fn user_data_free);

    /**
     * Queues one 20 ms frame to send in the guild (the plugin must hold it). The host paces frames
     * every 20 ms on a clock that does not drift, says Speaking before the first, and sends five
     * silence frames when the queue runs dry (then BOTHOST_VOICE_SEND_DRAINED). PCM must be exactly
     * BOTHOST_VOICE_FRAME_BYTES; OPUS one packet of at most 1 275 bytes, sent as is (Ogg Opus files
     * play without re-encoding). One plugin sends at a time: BOTHOST_E_CONFLICT while another's
     * frames are queued. BOTHOST_E_QUEUE_FULL when 10 s of Opus or 0.5 s of PCM are already queued
     * (PCM is 24 times larger): keep the frame and offer it again a little later. In an end-to-end
     * encrypted call (DAVE) frames wait in the queue until the call's group is ready: nothing is
     * sent unencrypted, and the bot alone in a channel has no group to send in.
     */
    bothost_status (*voice_send)(bothost_plugin *self, uint64_t guild_id, bothost_audio_format format,
                                 bothost_bytes frame);

    /** Drops the plugin's queued frames in the guild and ends with silence (e.g. /stop). */
    bothost_status (*voice_stop_sending)(bothost_plugin *self, uint64_t guild_id);

    /**
     * Receives every user's audio in the guild (0: every guild) as 20 ms frames, PCM decoded or
     * Opus as received, in order per speaker (reordered, duplicates dropped; a lost PCM frame is
     * concealed and flagged). A slow subscriber loses frames rather than delaying others; the loss
     * is counted and reported.
     */
    bothost_status (*voice_subscribe_audio)(bothost_plugin *self, uint64_t guild_id,
                                            bothost_audio_format format, bothost_voice_frame_fn fn,
                                            void *user_data, bothost_free_fn user_data_free,
                                            bothost_handle *out_subscription);

    /** Receives voice events (bothost_voice_event_kind) for the guild (0: every guild). */
    bothost_status (*voice_subscribe_events)(bothost_plugin *self, uint64_t guild_id,
                                             bothost_voice_event_fn fn, void *user_data,
                                             bothost_free_fn user_data_free,
                                             bothost_handle *out_subscription);

    /* ---- reading JSON (minor 4: check BOTHOST_API_HAS(host, json_get_string)) -------------- */

    /*
     * A plugin receives JSON everywhere — its config (config_get, config_changed), an interaction
     * (bothost_interaction.json), bus payloads, Discord's answers — and these calls read values out
     * of it, so that a C plugin needs no JSON code of its own:
     *
     *   json     the whole document, UTF-8 (e.g. the config buffer, or interaction->json). It is
     *            checked in full on every call: malformed JSON — or bytes after the value, or
     *            invalid UTF-8 — is BOTHOST_E_INVALID_ARGUMENT, whatever the pointer.
     *   pointer  where the value is, as an RFC 6901 JSON Pointer: "" is the whole document,
     *            "/tickMs" a member of the top object, "/data/options/0/value" the value of the first
     *            option; "~1" in a token stands for '/' and "~0" for '~' ("/a~1b" is member "a/b").
     *            A token names an object member by its exact UTF-8 bytes (the last one, when a name
     *            repeats) or an array element by its index written in decimal without leading zeros.
     *
     * Each call returns BOTHOST_OK with the value, or (out untouched unless said otherwise):
     *   BOTHOST_E_NOT_FOUND       nothing there: no such member, an index past the end or not a
     *                             number ("-" included), or a token that goes into a string, number,
     *                             true, false or null
     *   BOTHOST_E_WRONG_TYPE      a value is there but not of the type asked for (null included)
     *   BOTHOST_E_INVALID_ARGUMENT  the JSON is malformed, or an out pointer is NULL
     *   BOTHOST_E_BAD_POINTER     the pointer is not valid RFC 6901
     *   BOTHOST_E_TOO_LARGE       json_get_string only: the buffer is too small (see there)
     * and host->last_error() says which token or byte, as for every call.
     *
     * They are pure functions of their arguments: no plugin handle, callable from any thread, at any
     * time (in init, in a callback, from a thread of the plugin's own, even after the plugin stopped),
     * and they keep nothing. A document of a few kilobytes reads in microseconds; a plugin that reads
     * many values from one large document may prefer to keep its own parsed copy.
     */

    /**
     * A string, its escapes decoded, copied into `out` (out_size bytes) and NUL-terminated.
     * *out_len (may be NULL) gets the string's length in bytes without the NUL whenever the value is
     * a string — also when it does not fit. If out_size < *out_len + 1 the call returns
     * BOTHOST_E_TOO_LARGE and `out` holds as much as fits, NUL-terminated (nothing when out_size is
     * 0); call again with *out_len + 1 bytes. A string may contain "\u0000": *out_len counts the
     * bytes past such a NUL; an unpaired surrogate escape ("\ud800") comes out as U+FFFD. `out`
     * may be NULL only when out_size is 0 (to ask for the length).
     */
    bothost_status (*json_get_string)(bothost_str json, bothost_str pointer, char *out, size_t out_size,
                                      size_t *out_len);

    /**
     * An integer: a number written without fraction or exponent ("42", "-7") that fits in int64_t.
     * 1.5, 1e3 or 9223372036854775808 are BOTHOST_E_WRONG_TYPE (read those with json_get_double).
     */
    bothost_status (*json_get_int64)(bothost_str json, bothost_str pointer, int64_t *out);

    /** Any number, as the nearest double. One too large for a double (1e400) is BOTHOST_E_WRONG_TYPE. */
    bothost_status (*json_get_double)(bothost_str json, bothost_str pointer, double *out);

    /** true or false, as 1 or 0. */
    bothost_status (*json_get_bool)(bothost_str json, bothost_str pointer, int32_t *out);

    /**
     * Any value, as the slice of `json` that spells it (no surrounding whitespace): an object or array
     * to hand on whole, or a string with its quotes and escapes as written. *out points INTO `json`:
     * it is valid as long as `json` is, and nothing is allocated or to be freed.
     */
    bothost_status (*json_get_raw)(bothost_str json, bothost_str pointer, bothost_str *out);

    /** The number of elements of an array (an object is BOTHOST_E_WRONG_TYPE). */
    bothost_status (*json_array_length)(bothost_str json, bothost_str pointer, size_t *out);

    /*
     * Later minor versions append here. Always test with BOTHOST_API_HAS before calling a slot
     * newer than the plugin's required minor.
     */
} bothost_host_api;

/** True when the host's table is large enough to contain `slot` (a field name of bothost_host_api). */
#define BOTHOST_API_HAS(api, slot)                                                                 \
    ((api) != NULL && (api)->struct_size >= offsetof(bothost_host_api, slot) + sizeof((api)->slot) && \
     (api)->slot != NULL)

/* ----------------------------------------------------------------------------------------------- */
/* Events on the bus: Discord's and the host's                                                      */
/* ----------------------------------------------------------------------------------------------- */

/*
 * DISCORD EVENTS. Every gateway dispatch the bot receives is published on the bus as
 * "discord.<EVENT>", <EVENT> being Discord's event name exactly as sent ("discord.MESSAGE_CREATE",
 * "discord.GUILD_MEMBER_ADD"); subscribe to "discord.>" for all of them. The payload is the
 * dispatch's `d` object, byte for byte as Discord sent it (JSON; snowflakes are strings). Inside
 * the callback, host->bus_message_info (minor 1) gives the gateway shard and sequence number of the
 * dispatch; its publisher is empty (the host published it).
 *
 * Discord sends an event only if the connection asked for its intent. The host identifies with
 * the union of the running plugins' gateway_intents, and identifies again when a newly started
 * plugin needs more. Privileged intents (*) must also be enabled for the application in Discord's
 * developer portal, or Discord refuses the connection.
 *
 *   Intent                                Events (discord.<EVENT>)
 *   BOTHOST_INTENT_GUILDS                 GUILD_CREATE GUILD_UPDATE GUILD_DELETE GUILD_ROLE_CREATE
 *                                         GUILD_ROLE_UPDATE GUILD_ROLE_DELETE CHANNEL_CREATE
 *                                         CHANNEL_UPDATE CHANNEL_DELETE CHANNEL_PINS_UPDATE
 *                                         THREAD_CREATE THREAD_UPDATE THREAD_DELETE THREAD_LIST_SYNC
 *                                         THREAD_MEMBER_UPDATE THREAD_MEMBERS_UPDATE
 *                                         STAGE_INSTANCE_CREATE STAGE_INSTANCE_UPDATE
 *                                         STAGE_INSTANCE_DELETE
 *   BOTHOST_INTENT_GUILD_MEMBERS *        GUILD_MEMBER_ADD GUILD_MEMBER_UPDATE GUILD_MEMBER_REMOVE
 *                                         THREAD_MEMBERS_UPDATE (members other than the bot)
 *   BOTHOST_INTENT_GUILD_MODERATION       GUILD_AUDIT_LOG_ENTRY_CREATE GUILD_BAN_ADD GUILD_BAN_REMOVE
 *   BOTHOST_INTENT_GUILD_EXPRESSIONS      GUILD_EMOJIS_UPDATE GUILD_STICKERS_UPDATE
 *                                         GUILD_SOUNDBOARD_SOUND_CREATE GUILD_SOUNDBOARD_SOUND_UPDATE
 *                                         GUILD_SOUNDBOARD_SOUND_DELETE GUILD_SOUNDBOARD_SOUNDS_UPDATE
 *   BOTHOST_INTENT_GUILD_INTEGRATIONS     GUILD_INTEGRATIONS_UPDATE INTEGRATION_CREATE
 *                                         INTEGRATION_UPDATE INTEGRATION_DELETE
 *   BOTHOST_INTENT_GUILD_WEBHOOKS         WEBHOOKS_UPDATE
 *   BOTHOST_INTENT_GUILD_INVITES          INVITE_CREATE INVITE_DELETE
 *   BOTHOST_INTENT_GUILD_VOICE_STATES     VOICE_STATE_UPDATE VOICE_CHANNEL_EFFECT_SEND
 *   BOTHOST_INTENT_GUILD_PRESENCES *      PRESENCE_UPDATE
 *   BOTHOST_INTENT_GUILD_MESSAGES         MESSAGE_CREATE MESSAGE_UPDATE MESSAGE_DELETE
 *                                         MESSAGE_DELETE_BULK (in guilds)
 *   BOTHOST_INTENT_GUILD_MESSAGE_REACTIONS MESSAGE_REACTION_ADD MESSAGE_REACTION_REMOVE
 *                                         MESSAGE_REACTION_REMOVE_ALL MESSAGE_REACTION_REMOVE_EMOJI
 *   BOTHOST_INTENT_GUILD_MESSAGE_TYPING   TYPING_START (in guilds)
 *   BOTHOST_INTENT_DIRECT_MESSAGES        MESSAGE_CREATE MESSAGE_UPDATE MESSAGE_DELETE
 *                                         CHANNEL_PINS_UPDATE (in DMs)
 *   BOTHOST_INTENT_DIRECT_MESSAGE_REACTIONS  the MESSAGE_REACTION_* events, in DMs
 *   BOTHOST_INTENT_DIRECT_MESSAGE_TYPING  TYPING_START (in DMs)
 *   BOTHOST_INTENT_MESSAGE_CONTENT *      no events of its own: without it, the content, embeds,
 *                                         attachments, components and poll of messages arrive empty
 *                                         (except in DMs, messages mentioning the bot, and its own)
 *   BOTHOST_INTENT_GUILD_SCHEDULED_EVENTS GUILD_SCHEDULED_EVENT_CREATE _UPDATE _DELETE _USER_ADD
 *                                         _USER_REMOVE
 *   BOTHOST_INTENT_AUTO_MODERATION_CONFIGURATION  AUTO_MODERATION_RULE_CREATE _UPDATE _DELETE
 *   BOTHOST_INTENT_AUTO_MODERATION_EXECUTION      AUTO_MODERATION_ACTION_EXECUTION
 *   BOTHOST_INTENT_GUILD_MESSAGE_POLLS    MESSAGE_POLL_VOTE_ADD MESSAGE_POLL_VOTE_REMOVE (in guilds)
 *   BOTHOST_INTENT_DIRECT_MESSAGE_POLLS   MESSAGE_POLL_VOTE_ADD MESSAGE_POLL_VOTE_REMOVE (in DMs)
 *   (none needed)                         READY RESUMED INTERACTION_CREATE USER_UPDATE
 *                                         VOICE_SERVER_UPDATE APPLICATION_COMMAND_PERMISSIONS_UPDATE
 *                                         ENTITLEMENT_CREATE ENTITLEMENT_UPDATE ENTITLEMENT_DELETE
 *
 * The host acts on some dispatches itself and still publishes them: INTERACTION_CREATE is routed to
 * the owning plugin's command, component or autocomplete handler (subscribe only to observe), and
 * READY, VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE feed the host's own session and voice state.
 *
 * HOST EVENTS. The host publishes JSON about itself on "host.*" (subscribe to "host.>"); fields are
 * only ever added:
 *
 *   host.plugin.started   {"plugin", "version", "library"}        a plugin started
 *   host.plugin.stopped   {"plugin", "reason"}                    a plugin stopped (disabled,
 *                                                                 removed, restarted, shut down …)
 *   host.plugin.refused   {"plugin", "file", "cause", "fix"}      a plugin was refused at load,
 *                                                                 init or start
 *   host.plugin.overrun   {"plugin", "runningMs", "budgetMs", "overruns"}
 *                                                                 a callback ran over its budget
 *   host.plugin.deadline  {"plugin", "what", "deadlineMs"}        a lifecycle step (init, a cleanup
 *                                                                 hook, stop …) missed its deadline
 *   host.bus.overflow     {"plugin", "dropped", "totalDropped", "capacity", "capacityBytes"}
 *                                                                 a plugin's queue was full (events
 *                                                                 or bytes): events were dropped
 *   host.gateway.ready    {"shard", "shardCount", "resumed"}      a shard completed its handshake
 *                                                                 (READY, or RESUMED after a drop)
 *   host.gateway.lost     {"shard", "shardCount", "reason"}       a ready shard is reconnecting or
 *                                                                 stopped
 *
 * host.plugin.started is published after the plugin's start returned, so a plugin that subscribed
 * to it in start sees its own; host.plugin.stopped is published after its last free, so it never
 * sees its own.
 */

/** Discord's gateway intents (bit values as Discord defines them); * privileged. */
#define BOTHOST_INTENT_GUILDS                        ((uint64_t)1 << 0)
#define BOTHOST_INTENT_GUILD_MEMBERS                 ((uint64_t)1 << 1)  /* privileged */
#define BOTHOST_INTENT_GUILD_MODERATION              ((uint64_t)1 << 2)
#define BOTHOST_INTENT_GUILD_EXPRESSIONS             ((uint64_t)1 << 3)
#define BOTHOST_INTENT_GUILD_INTEGRATIONS            ((uint64_t)1 << 4)
#define BOTHOST_INTENT_GUILD_WEBHOOKS                ((uint64_t)1 << 5)
#define BOTHOST_INTENT_GUILD_INVITES                 ((uint64_t)1 << 6)
#define BOTHOST_INTENT_GUILD_VOICE_STATES            ((uint64_t)1 << 7)
#define BOTHOST_INTENT_GUILD_PRESENCES               ((uint64_t)1 << 8)  /* privileged */
#define BOTHOST_INTENT_GUILD_MESSAGES                ((uint64_t)1 << 9)
#define BOTHOST_INTENT_GUILD_MESSAGE_REACTIONS       ((uint64_t)1 << 10)
#define BOTHOST_INTENT_GUILD_MESSAGE_TYPING          ((uint64_t)1 << 11)
#define BOTHOST_INTENT_DIRECT_MESSAGES               ((uint64_t)1 << 12)
#define BOTHOST_INTENT_DIRECT_MESSAGE_REACTIONS      ((uint64_t)1 << 13)
#define BOTHOST_INTENT_DIRECT_MESSAGE_TYPING         ((uint64_t)1 << 14)
#define BOTHOST_INTENT_MESSAGE_CONTENT               ((uint64_t)1 << 15) /* privileged */
#define BOTHOST_INTENT_GUILD_SCHEDULED_EVENTS        ((uint64_t)1 << 16)
#define BOTHOST_INTENT_AUTO_MODERATION_CONFIGURATION ((uint64_t)1 << 20)
#define BOTHOST_INTENT_AUTO_MODERATION_EXECUTION     ((uint64_t)1 << 21)
#define BOTHOST_INTENT_GUILD_MESSAGE_POLLS           ((uint64_t)1 << 24)
#define BOTHOST_INTENT_DIRECT_MESSAGE_POLLS          ((uint64_t)1 << 25)

/*
 * A plugin that logs every message and reaction in its guilds declares what it needs:
 *
 * ```c
 * #include "bothost_plugin.h"
 *
 * static const bothost_host_api *host;
 *
 * static void on_event(void *user_data, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
 *     bothost_plugin *self = (bothost_plugin *)user_data;
 *     bothost_bus_message_info info = { sizeof(bothost_bus_message_info), 0, 0, { NULL, 0 } };
 *     (void)sub; (void)payload; // payload: the dispatch's d object
 *     if (BOTHOST_API_HAS(host, bus_message_info) && host->bus_message_info(self, &info) == BOTHOST_OK &&
 *         info.shard > 0) {
 *         host->log(self, BOTHOST_LOG_DEBUG, BOTHOST_STR("an event from a shard other than 0"));
 *     }
 *     host->log(self, BOTHOST_LOG_INFO, topic); // e.g. discord.MESSAGE_CREATE
 * }
 *
 * static bothost_status my_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
 *     bothost_handle messages, reactions;
 *     (void)state;
 *     if (host->bus_subscribe(self, BOTHOST_STR("discord.MESSAGE_CREATE"), on_event, self, NULL, &messages) != BOTHOST_OK ||
 *         host->bus_subscribe(self, BOTHOST_STR("discord.MESSAGE_REACTION_ADD"), on_event, self, NULL, &reactions) != BOTHOST_OK) {
 *         *out_reason = host->last_error();
 *         return BOTHOST_E_PLUGIN;
 *     }
 *     return BOTHOST_OK;
 * }
 *
 * static const bothost_plugin_descriptor descriptor = {
 *     .struct_size = sizeof(bothost_plugin_descriptor),
 *     .abi_major = BOTHOST_ABI_MAJOR, .abi_minor = BOTHOST_REQUIRED_MINOR,
 *     .name = "watcher", .version = "1.0.0", .description = "Logs messages and reactions",
 *     .gateway_intents = BOTHOST_INTENT_GUILDS | BOTHOST_INTENT_GUILD_MESSAGES |
 *                        BOTHOST_INTENT_GUILD_MESSAGE_REACTIONS | BOTHOST_INTENT_MESSAGE_CONTENT,
 *     .init = NULL, .start = my_start, .stop = NULL, .config_changed = NULL,
 *     .owned_names = NULL,
 * };
 *
 * BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) { host = api; return &descriptor; }
 * ```
 */

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
 * plugin applied it. Return BOTHOST_E_INVALID_ARGUMENT to refuse an invalid config: the plugin keeps
 * running on its previous config (config_get returns that one again), so it must leave its state as
 * it was; log why with host->log (name the field), and the host reports the refusal with the file
 * and the entry until plugins.json changes again. Any other status (or a NULL slot) makes the host
 * restart the plugin (cleanup hooks, stop, init, start) with the new config.
 */
typedef bothost_status (*bothost_config_changed_fn)(bothost_plugin *self, void *state,
                                                    bothost_str new_config_json);

/** What bothost_plugin_entry returns. Must stay valid for the life of the process (static storage). */
typedef struct bothost_plugin_descriptor {
    uint32_t struct_size;      /**< sizeof(bothost_plugin_descriptor) as the plugin was built */
    uint32_t abi_major;        /**< BOTHOST_ABI_MAJOR */
    uint32_t abi_minor;        /**< BOTHOST_REQUIRED_MINOR: the lowest host minor it needs (rule 2) */
    const char *name;          /**< NUL-terminated; [a-z0-9_-], 1–64 characters; unique per host */
    const char *version;       /**< NUL-terminated, semantic version recommended */
    const char *description;   /**< NUL-terminated, one line */
    uint64_t gateway_intents;  /**< BOTHOST_INTENT_* bits the plugin needs (the host ORs them) */
    bothost_init_fn init;      /**< optional */
    bothost_start_fn start;    /**< optional */
    bothost_stop_fn stop;      /**< optional */
    bothost_config_changed_fn config_changed; /**< optional */
    /* minor 4: an older host's loader stops at struct_size and ignores what follows */
    /**
     * Names the plugin owns besides its own (see NAMES): NULL, or a NULL-terminated array of
     * NUL-terminated names in static storage, e.g. { "voice", NULL }. At most 64.
     */
    const char *const *owned_names;
} bothost_plugin_descriptor;

/*
 * NAMES (minor 4). A running plugin owns its own name and the names its descriptor lists in
 * owned_names. A name is one or more dot-separated segments of a-z, 0-9, '_' and '-' (at most 128
 * characters, e.g. "voice" or "games.lobby"). Owning a name means:
 *
 *   - bus topics: the name itself and everything under "<name>.". Only the owner may serve them
 *     (bus_serve elsewhere is BOTHOST_E_DENIED: a plugin serves only under names it owns) and
 *     only the owner may publish on them (BOTHOST_E_DENIED for anyone else). Topics under no
 *     running plugin's name ("lobby.updated" while nobody owns "lobby") may be published by any
 *     plugin; "discord." and "host." are the host's. Subscribing and requesting are open to all.
 *   - the slash command of that name (for a one-segment name): command_register of it by any
 *     other plugin is BOTHOST_E_DENIED.
 *
 * Names are exclusive: two running plugins may not own the same name, nor one a name under the
 * other's ("games" and "games.lobby"). A plugin whose names clash with a running plugin's — or
 * with a command another plugin registered without owning its name — is refused at load, and the
 * refusal names both plugins and which one to disable. When plugins.json starts several plugins
 * at once, every plugin's own name is claimed before any declared name, so a plugin that declares
 * another's name is the one refused, whatever the order in the file.
 *
 * Plugins built for minors 0–3 have no owned_names: they own their own name only.
 */

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
