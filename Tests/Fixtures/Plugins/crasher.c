/*
 * crasher — a plugin that fails in one chosen way, for the isolation tests. Healthy otherwise:
 *
 *   - /crasher answers "alive <count>", where count is its stored "count" (storage survives a crash)
 *   - a message on crasher.count adds one to "count"
 *
 * Config "crash" chooses how it fails:
 *   "command"       /crasher action:segv dereferences NULL inside the command handler
 *   "init"          init calls abort()
 *   "leak"          a message on crasher.leak allocates and touches memory until none is left, then
 *                   writes through the NULL malloc returned
 *   "spin"          a message on crasher.spin never returns
 *   "exit-in-stop"  stop calls exit(3)
 * Config "holdFile": "/path": after a crash (it stores "crashed" just before), the next init waits
 * until that file exists, so a test can look at the host while the plugin is restarting.
 */
#include "fixture_support.h"

#include <stdlib.h>
#include <string.h>

static bothost_plugin *self_plugin;

typedef struct {
    char crash[32];
    char hold_file[1024];
} crasher_state;

static long stored_count(void) {
    bothost_buffer value = { 0 };
    if (host->storage_get(self_plugin, BOTHOST_STR("count"), &value) != BOTHOST_OK) return 0;
    char text[32] = "";
    size_t n = value.len < sizeof text - 1 ? value.len : sizeof text - 1;
    memcpy(text, value.ptr, n);
    host->free(value.ptr);
    return strtol(text, NULL, 10);
}

static void on_command(void *ud, const bothost_interaction *interaction) {
    crasher_state *s = ud;
    if (strcmp(s->crash, "command") == 0 && interaction->json.len > 0 &&
        strstr(interaction->json.ptr, "\"segv\"") != NULL) {
        host->storage_set(self_plugin, BOTHOST_STR("crashed"), (bothost_bytes){ (const uint8_t *)"1", 1 });
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    char reply[128];
    snprintf(reply, sizeof reply, "{\"content\": \"alive %ld\"}", stored_count());
    host->interaction_reply(self_plugin, interaction->interaction, (bothost_str){ reply, strlen(reply) }, 0, NULL, NULL, NULL);
}

static void on_message(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub; (void)payload;
    crasher_state *s = ud;
    if (topic.len == 13 && memcmp(topic.ptr, "crasher.count", 13) == 0) {
        char text[32];
        int n = snprintf(text, sizeof text, "%ld", stored_count() + 1);
        host->storage_set(self_plugin, BOTHOST_STR("count"), (bothost_bytes){ (const uint8_t *)text, (size_t)n });
    } else if (topic.len == 12 && memcmp(topic.ptr, "crasher.leak", 12) == 0 && strcmp(s->crash, "leak") == 0) {
        host->storage_set(self_plugin, BOTHOST_STR("crashed"), (bothost_bytes){ (const uint8_t *)"1", 1 });
        for (;;) {
            char *block = malloc(1 << 20);
            memset(block, 0x5A, 1 << 20);  /* NULL once the limit is reached: a write through NULL */
        }
    } else if (topic.len == 12 && memcmp(topic.ptr, "crasher.spin", 12) == 0 && strcmp(s->crash, "spin") == 0) {
        host->storage_set(self_plugin, BOTHOST_STR("crashed"), (bothost_bytes){ (const uint8_t *)"1", 1 });
        for (volatile unsigned long spins = 0;; spins++) {
        }
    }
}

static bothost_status crasher_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)out_reason;
    self_plugin = self;
    crasher_state *s = calloc(1, sizeof *s);
    bothost_buffer config = { 0 };
    if (host->config_get(self, &config) == BOTHOST_OK) {
        bothost_str json = { (const char *)config.ptr, config.len };
        size_t len = 0;
        host->json_get_string(json, BOTHOST_STR("/crash"), s->crash, sizeof s->crash, &len);
        host->json_get_string(json, BOTHOST_STR("/holdFile"), s->hold_file, sizeof s->hold_file, &len);
        host->free(config.ptr);
    }
    if (strcmp(s->crash, "init") == 0) abort();
    bothost_buffer crashed = { 0 };
    if (host->storage_get(self, BOTHOST_STR("crashed"), &crashed) == BOTHOST_OK) {
        host->free(crashed.ptr);
        host->storage_delete(self, BOTHOST_STR("crashed"));
        if (s->hold_file[0]) fixture_wait_for_file(s->hold_file, 60000);
    }
    *out_state = s;
    return BOTHOST_OK;
}

static bothost_status crasher_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    bothost_handle handle;
    const char *definition = "{\"name\": \"crasher\", \"description\": \"A plugin that crashes on purpose\", "
                             "\"options\": [{\"type\": 3, \"name\": \"action\", \"description\": \"what to do\"}]}";
    if (host->command_register(self, (bothost_str){ definition, strlen(definition) }, on_command, state, NULL, &handle) != BOTHOST_OK ||
        host->bus_subscribe(self, BOTHOST_STR("crasher.>"), on_message, state, NULL, &handle) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static void crasher_stop(bothost_plugin *self, void *state) {
    (void)self;
    crasher_state *s = state;
    if (strcmp(s->crash, "exit-in-stop") == 0) exit(3);
    free(s);
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "crasher", .version = "1.0.0", .description = "Fails on purpose, for the isolation tests",
    .gateway_intents = 0,
    .init = crasher_init, .start = crasher_start, .stop = crasher_stop, .config_changed = NULL,
    .owned_names = NULL,
};

FIXTURE_ENTRY(descriptor)
