/*
 * What every C test fixture shares: the host's table, the entry that keeps it and hands out the
 * fixture's descriptor, and the small helpers for waiting, tracing and logging. Each fixture
 * includes this header first, instead of bothost_plugin.h; being next to them, it needs no include
 * path of its own (the quoted include searches the fixture's folder), so every place that compiles
 * a fixture with `-I Sources/PluginAPI/include` builds it unchanged.
 *
 * Everything here is static, and the helpers are inline, so a fixture that uses none of them still
 * builds under -Wall -Wextra -Werror.
 */
#ifndef FIXTURE_SUPPORT_H
#define FIXTURE_SUPPORT_H

/* nanosleep and access under -std=c11; a fixture that wants more defines _GNU_SOURCE before this. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "bothost_plugin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* The host's table, kept by FIXTURE_ENTRY. */
static const bothost_host_api *host;

/* The fields every descriptor begins with, at the ABI of the header the fixture is built with. */
#define FIXTURE_DESCRIPTOR_ABI                                                                     \
    .struct_size = sizeof(bothost_plugin_descriptor), .abi_major = BOTHOST_ABI_MAJOR,              \
    .abi_minor = BOTHOST_ABI_MINOR

/* The library's entry: keeps the host's table and hands out `descriptor`. */
#define FIXTURE_ENTRY(descriptor)                                                                  \
    BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {                                            \
        host = api;                                                                                \
        return &(descriptor);                                                                      \
    }

/* Blocks the calling thread (on purpose: the fixtures that call it test what a blocked executor
   does). Nothing for ms <= 0. */
static inline void fixture_sleep_ms(int64_t ms) {
    if (ms <= 0) return;
    struct timespec left = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

/* Blocks until `path` exists, for at most `ms`: a test, not the time, decides when it ends. */
static inline void fixture_wait_for_file(const char *path, int64_t ms) {
    for (int64_t waited = 0; waited < ms && access(path, F_OK) != 0; waited += 10) fixture_sleep_ms(10);
}

/* Appends formatted text to a trace file: open, append, close every time, so a test can read the
   file whenever it likes. Nothing when `path` is NULL or empty. */
__attribute__((format(printf, 2, 3)))
static inline void fixture_trace(const char *path, const char *format, ...) {
    if (path == NULL || path[0] == '\0') return;
    FILE *f = fopen(path, "a");
    if (f == NULL) return;
    va_list args;
    va_start(args, format);
    vfprintf(f, format, args);
    va_end(args);
    fclose(f);
}

/* Logs formatted text through the host, cut at 511 bytes. */
__attribute__((format(printf, 3, 4)))
static inline void fixture_log(bothost_plugin *self, bothost_log_level level, const char *format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    host->log(self, level, (bothost_str){ line, len });
}

/* Logs "<what> failed (status <n>): <last_error>" as an error. */
static inline void fixture_log_failure(bothost_plugin *self, const char *what, bothost_status status) {
    /* Read first: the log call resets last_error. */
    bothost_str e = host->last_error();
    fixture_log(self, BOTHOST_LOG_ERROR, "%s failed (status %d): %.*s", what, (int)status,
                (int)(e.len > 300 ? 300 : e.len), e.ptr != NULL ? e.ptr : "");
}

#endif
