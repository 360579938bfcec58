/*
 * Compile-time checks of the ABI's layout on LP64 Linux. A change that moves a field or a table slot
 * breaks every plugin already built, so it must fail here first. New slots go at the end.
 */
#include "bothost_plugin.h"

_Static_assert(sizeof(bothost_str) == 16, "bothost_str is {ptr, len}");
_Static_assert(sizeof(bothost_handle) == 8, "handles are 64-bit");
_Static_assert(offsetof(bothost_host_api, last_error) == 24, "host table header moved");
_Static_assert(offsetof(bothost_host_api, cleanup_register) == 24 + 8 * 23,
               "host table slots moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, discord_request) == 24 + 8 * 24,
               "minor 1 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, bus_message_info) == 24 + 8 * 25,
               "minor 1 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, component_register) == 24 + 8 * 26,
               "minor 2 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, interaction_respond) == 24 + 8 * 28,
               "minor 2 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, voice_join) == 24 + 8 * 29,
               "minor 3 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, voice_subscribe_events) == 24 + 8 * 34,
               "minor 3 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, json_get_string) == 24 + 8 * 35,
               "minor 4 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_host_api, json_array_length) == 24 + 8 * 40,
               "minor 4 slot moved: append new slots at the end, never reorder");
_Static_assert(offsetof(bothost_voice_frame, pcm) == 40, "voice frame moved");
_Static_assert(offsetof(bothost_bus_message_info, publisher) == 16, "bus message info moved");
_Static_assert(offsetof(bothost_plugin_descriptor, gateway_intents) == 40, "descriptor moved");
_Static_assert(offsetof(bothost_plugin_descriptor, config_changed) == 72, "descriptor moved");
_Static_assert(offsetof(bothost_interaction, is_owner) == 80, "interaction moved");
_Static_assert(offsetof(bothost_interaction, kind) == 84, "minor 2 interaction fields moved");
_Static_assert(offsetof(bothost_interaction, custom_id) == 88, "minor 2 interaction fields moved");
