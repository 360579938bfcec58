/*
 * abi_major_99 — a plugin built against a future, incompatible ABI major (BOTHOST_ABI_MAJOR + 98,
 * i.e. 99 while the host is at 1).
 *
 * The loader must refuse it as "abiMajorMismatch" before calling anything but the entry, naming both
 * versions ("99.0" and the host's major.minor). Its callbacks exist only to make a wrong acceptance
 * loud: init refuses with a message saying the loader should never have got that far.
 */
#include "fixture_support.h"

static bothost_status never_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
    (void)self;
    *out_state = NULL;
    *out_reason = BOTHOST_STR("abi_major_99 must never be initialised: the loader should have refused its ABI major");
    return BOTHOST_E_PLUGIN;
}

static const bothost_plugin_descriptor descriptor = {
    .struct_size = sizeof(bothost_plugin_descriptor),
    .abi_major = BOTHOST_ABI_MAJOR + 98,
    .abi_minor = BOTHOST_ABI_MINOR,
    .name = "future",
    .version = "99.0.0",
    .description = "Built against ABI major 99 (test fixture)",
    .init = never_init,
};

FIXTURE_ENTRY(descriptor)
