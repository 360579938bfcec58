/*
 * bad_name — a well-formed descriptor whose name, "Bad Name!", breaks the naming rule
 * ([a-z0-9_-], 1-64 characters: upper case, a space and '!' are all outside it).
 *
 * The loader must refuse it as "invalidName" and suggest a valid spelling (e.g. "bad-name").
 * Its init refuses loudly in case it is ever reached.
 */
#include "fixture_support.h"

static bothost_status never_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)self;
    *out_state = NULL;
    *out_reason = BOTHOST_STR("bad_name must never be initialised: the loader should have refused its name");
    return BOTHOST_E_PLUGIN;
}

static const bothost_plugin_descriptor descriptor = {
    FIXTURE_DESCRIPTOR_ABI,
    .name = "Bad Name!",
    .version = "1.0.0",
    .description = "Has an invalid name (test fixture)",
    .init = never_init,
};

FIXTURE_ENTRY(descriptor)
