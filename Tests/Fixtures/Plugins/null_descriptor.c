/*
 * null_descriptor — exports the entry function, which returns NULL instead of a descriptor.
 *
 * The loader must refuse it as "nullDescriptor" (and must not dereference the NULL).
 */
#include "fixture_support.h"

#include <stddef.h>

BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
    (void)api;
    return NULL;
}
