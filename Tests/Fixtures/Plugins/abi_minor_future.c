/*
 * abi_minor_future — a plugin built against a newer minor of the same major
 * (BOTHOST_ABI_MINOR + 5): it may call table slots this host does not have.
 *
 * The loader must refuse it as "abiMinorTooNew", naming the plugin's version
 * ("<major>.<minor + 5>") and the host's. Its init refuses loudly in case it is ever reached.
 */
#include "fixture_support.h"

static bothost_status never_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)self;
    *out_state = NULL;
    *out_reason = BOTHOST_STR("abi_minor_future must never be initialised: the loader should have refused its ABI minor");
    return BOTHOST_E_PLUGIN;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR,
    .abi_minor = BOTHOST_ABI_MINOR + 5,
    .name = "future-minor",
    .version = "1.5.0",
    .description = "Built against a newer ABI minor than the host's (test fixture)",
    .init = never_init,
};

FIXTURE_ENTRY(descriptor)
