/*
 * no_entry — a perfectly good shared object that is not a BotHost plugin.
 *
 * It exports a function and a data symbol, but no `bothost_plugin_entry`. The loader must refuse it
 * as "missingEntry", naming the symbol it looked for and pointing at BOTHOST_PLUGIN_ENTRY.
 * (Check: `nm -D libno_entry.so` lists no_entry_answer and no_entry_greeting, no bothost_plugin_entry.)
 */
#include "fixture_support.h"

BOTHOST_EXPORT int no_entry_answer(void);
BOTHOST_EXPORT extern const char no_entry_greeting[];

BOTHOST_EXPORT const char no_entry_greeting[] = "hello from a library that is not a plugin";

BOTHOST_EXPORT int no_entry_answer(void) {
    return 42;
}
