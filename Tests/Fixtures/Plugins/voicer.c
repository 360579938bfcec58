/*
 * voicer — a test plugin that uses voice through the ABI (minor 3).
 *
 * Config: {"traceFile": "/path", "pcmFile": "/path", "guild": "2000", "channel": "2002"}
 *   - bus "voicer.join"            voice_join(guild, channel)   → "joined <STATUS> <body>\n"
 *   - bus "voicer.play" with N     queues N frames of a 440 Hz tone as PCM → "queued <n> <STATUS>\n"
 *   - bus "voicer.leave"           voice_leave(guild)           → "left <STATUS>\n"
 *   - every voice event                                          → "event <kind> <user> <speaking> <reason>\n"
 *   - every received PCM frame is appended to pcmFile (raw int16 stereo) and counted per user
 *     ("frames <user> <count>" is written every 50 frames)
 */
#include "fixture_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bothost_plugin *self_plugin;

typedef struct {
    char trace[1024];
    char pcm[1024];
    uint64_t guild, channel;
    uint64_t received;
    double phase;
} voicer_state;

static void on_joined(void *ud, bothost_status status, bothost_bytes body) {
    voicer_state *s = ud;
    fixture_trace(s->trace, "joined %d %.*s\n", (int)status, (int)body.len, (const char *)body.ptr);
}

static void on_left(void *ud, bothost_status status, bothost_bytes body) {
    (void)body;
    voicer_state *s = ud;
    fixture_trace(s->trace, "left %d\n", (int)status);
}

/* sin without libm: a Taylor series, accurate for the reduced range used here. */
static double sine(double x) {
    const double two_pi = 6.283185307179586;
    while (x > 3.141592653589793) x -= two_pi;
    double term = x, sum = x, x2 = x * x;
    for (int n = 1; n < 10; n++) {
        term *= -x2 / ((2.0 * n) * (2.0 * n + 1.0));
        sum += term;
    }
    return sum;
}

static void on_bus(void *ud, bothost_handle sub, bothost_str topic, bothost_bytes payload) {
    (void)sub;
    voicer_state *s = ud;
    if (topic.len == 11 && memcmp(topic.ptr, "voicer.join", 11) == 0) {
        host->voice_join(self_plugin, s->guild, s->channel, 0, on_joined, s, NULL);
    } else if (topic.len == 12 && memcmp(topic.ptr, "voicer.leave", 12) == 0) {
        host->voice_leave(self_plugin, s->guild, on_left, s, NULL);
    } else if (topic.len == 11 && memcmp(topic.ptr, "voicer.play", 11) == 0) {
        char count_text[16] = {0};
        memcpy(count_text, payload.ptr, payload.len < 15 ? payload.len : 15);
        int frames = atoi(count_text), queued = 0;
        bothost_status status = BOTHOST_OK;
        int16_t pcm[BOTHOST_VOICE_FRAME_SAMPLES];
        for (int f = 0; f < frames && status == BOTHOST_OK; f++) {
            for (int i = 0; i < BOTHOST_VOICE_FRAME_SAMPLES / 2; i++) {
                int16_t v = (int16_t)(12000.0 * sine(s->phase));
                pcm[2 * i] = v;
                pcm[2 * i + 1] = v;
                s->phase += 6.283185307179586 * 440.0 / 48000.0;
                if (s->phase > 6.283185307179586) s->phase -= 6.283185307179586;
            }
            bothost_bytes frame = { (const uint8_t *)pcm, sizeof pcm };
            status = host->voice_send(self_plugin, s->guild, BOTHOST_AUDIO_PCM, frame);
            if (status == BOTHOST_OK) queued++;
        }
        fixture_trace(s->trace, "queued %d %d\n", queued, (int)status);
    }
}

static void on_event(void *ud, bothost_handle sub, const bothost_voice_event *event) {
    (void)sub;
    voicer_state *s = ud;
    fixture_trace(s->trace, "event %u %llu %u %.*s\n", event->kind, (unsigned long long)event->user_id, event->speaking,
                  (int)event->reason.len, event->reason.ptr ? event->reason.ptr : "");
}

static void on_audio(void *ud, bothost_handle sub, const bothost_voice_frame *frame) {
    (void)sub;
    voicer_state *s = ud;
    FILE *f = fopen(s->pcm, "ab");
    if (f) {
        fwrite(frame->pcm, sizeof(int16_t), BOTHOST_VOICE_FRAME_SAMPLES, f);
        fclose(f);
    }
    if (++s->received % 50 == 0) {
        fixture_trace(s->trace, "frames %llu %llu\n", (unsigned long long)frame->user_id, (unsigned long long)s->received);
    }
}

static bothost_status voicer_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    self_plugin = self;
    bothost_buffer config = {0};
    if (host->config_get(self, &config) != BOTHOST_OK) { *out_reason = BOTHOST_STR("config_get failed"); return BOTHOST_E_PLUGIN; }
    voicer_state *s = calloc(1, sizeof *s);
    char number[32];
    bothost_str json = { (const char *)config.ptr, config.len };
    host->json_get_string(json, BOTHOST_STR("/traceFile"), s->trace, sizeof s->trace, NULL);
    host->json_get_string(json, BOTHOST_STR("/pcmFile"), s->pcm, sizeof s->pcm, NULL);
    /* Snowflakes are strings of digits. */
    if (host->json_get_string(json, BOTHOST_STR("/guild"), number, sizeof number, NULL) == BOTHOST_OK) s->guild = strtoull(number, NULL, 10);
    if (host->json_get_string(json, BOTHOST_STR("/channel"), number, sizeof number, NULL) == BOTHOST_OK) s->channel = strtoull(number, NULL, 10);
    host->free(config.ptr);
    *out_state = s;
    return BOTHOST_OK;
}

static bothost_status voicer_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
    bothost_handle h;
    if (!BOTHOST_API_HAS(host, voice_subscribe_events)) { *out_reason = BOTHOST_STR("no voice in this host"); return BOTHOST_E_PLUGIN; }
    if (host->bus_subscribe(self, BOTHOST_STR("voicer.*"), on_bus, state, NULL, &h) != BOTHOST_OK ||
        host->voice_subscribe_events(self, 0, on_event, state, NULL, &h) != BOTHOST_OK ||
        host->voice_subscribe_audio(self, 0, BOTHOST_AUDIO_PCM, on_audio, state, NULL, &h) != BOTHOST_OK) {
        *out_reason = host->last_error();
        return BOTHOST_E_PLUGIN;
    }
    return BOTHOST_OK;
}

static void voicer_stop(bothost_plugin *self, void *state) { (void)self; free(state); }

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "voicer",
    .version = "1.0.0",
    .description = "Uses voice through the ABI (tests)",
    .gateway_intents = (1u << 0) | (1u << 7), /* GUILDS, GUILD_VOICE_STATES */
    .init = voicer_init,
    .start = voicer_start,
    .stop = voicer_stop,
};

FIXTURE_ENTRY(descriptor)
