/*
 * bothost_plugin.hpp — a small C++17 layer over bothost_plugin.h: a plugin is a class.
 *
 * It adds no ABI of its own: every call goes through the same C table, so a C++ plugin follows the
 * rules numbered at the top of bothost_plugin.h (threads, memory, lifecycle). What it adds:
 *
 *   - bothost::Plugin, a base class: the constructor is init (read the config; throw to refuse),
 *     start() registers, the destructor is stop. An exception never crosses into the host: it
 *     becomes the refusal reason, or a log line when it escapes a callback.
 *   - bothost::Host: log, config, bus publish/subscribe, slash commands and replies, with
 *     std::string_view in and std::function callbacks (their memory is freed by the host's
 *     user_data_free, as rule 5 says).
 *   - bothost::Json: the host's json_* calls (ABI 1.4) as std::optional results.
 *   - BOTHOST_CPP_PLUGIN(Class, "name", "version", "description", intents): the descriptor and the
 *     exported entry for Class.
 *
 * Build: c++ -std=c++17 -fvisibility=hidden -shared -fPIC -I <dir of bothost_plugin.h> -I <dir of this file>
 *        -o libx.so x.cpp
 * (installed, both headers are in PREFIX/include/bothost).
 */
#ifndef BOTHOST_PLUGIN_HPP
#define BOTHOST_PLUGIN_HPP

#include "bothost_plugin.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace bothost {

inline bothost_str str(std::string_view text) { return bothost_str{ text.data(), text.size() }; }
inline bothost_bytes bytes(std::string_view text) {
    return bothost_bytes{ reinterpret_cast<const uint8_t *>(text.data()), text.size() };
}
inline std::string_view view(bothost_str text) { return text.ptr != nullptr ? std::string_view(text.ptr, text.len) : std::string_view(); }
inline std::string_view view(bothost_bytes data) {
    return data.ptr != nullptr ? std::string_view(reinterpret_cast<const char *>(data.ptr), data.len) : std::string_view();
}

/** A JSON document read through the host's json_* calls. Pointers are RFC 6901: "/a/0/b". */
class Json {
  public:
    Json(const bothost_host_api *api, std::string_view text) : api_(api), text_(text) {}

    /** The string at `pointer`, or nothing when it is absent or not a string. */
    std::optional<std::string> string(std::string_view pointer) const {
        size_t length = 0;
        bothost_status status = api_->json_get_string(str(text_), str(pointer), nullptr, 0, &length);
        if (status != BOTHOST_OK && status != BOTHOST_E_TOO_LARGE) return std::nullopt;
        std::string value(length + 1, '\0');
        if (api_->json_get_string(str(text_), str(pointer), value.data(), value.size(), &length) != BOTHOST_OK)
            return std::nullopt;
        value.resize(length);
        return value;
    }

    std::optional<int64_t> integer(std::string_view pointer) const {
        int64_t value = 0;
        return api_->json_get_int64(str(text_), str(pointer), &value) == BOTHOST_OK ? std::optional<int64_t>(value) : std::nullopt;
    }

    std::optional<double> number(std::string_view pointer) const {
        double value = 0;
        return api_->json_get_double(str(text_), str(pointer), &value) == BOTHOST_OK ? std::optional<double>(value) : std::nullopt;
    }

    std::optional<bool> boolean(std::string_view pointer) const {
        int32_t value = 0;
        return api_->json_get_bool(str(text_), str(pointer), &value) == BOTHOST_OK ? std::optional<bool>(value != 0) : std::nullopt;
    }

    std::optional<size_t> array_length(std::string_view pointer) const {
        size_t value = 0;
        return api_->json_array_length(str(text_), str(pointer), &value) == BOTHOST_OK ? std::optional<size_t>(value) : std::nullopt;
    }

  private:
    const bothost_host_api *api_;
    std::string_view text_;
};

/** The host as one plugin instance sees it. Cheap to copy. */
class Host {
  public:
    using BusHandler = std::function<void(std::string_view topic, std::string_view payload)>;
    using CommandHandler = std::function<void(const bothost_interaction &interaction)>;

    Host(const bothost_host_api *api, bothost_plugin *self) : api_(api), self_(self) {}

    const bothost_host_api *api() const { return api_; }
    bothost_plugin *self() const { return self_; }

    void log(bothost_log_level level, std::string_view message) const { api_->log(self_, level, str(message)); }

    /** The detail of the last failed call on this thread (copied). */
    std::string last_error() const { return std::string(view(api_->last_error())); }

    /** The plugin's "config" object from plugins.json, as JSON text. */
    std::string config() const {
        bothost_buffer buffer = { nullptr, 0 };
        if (api_->config_get(self_, &buffer) != BOTHOST_OK) return "{}";
        std::string text(reinterpret_cast<const char *>(buffer.ptr), buffer.len);
        api_->free(buffer.ptr);
        return text;
    }

    Json json(std::string_view text) const { return Json(api_, text); }

    bothost_status publish(std::string_view topic, std::string_view payload) const {
        return api_->bus_publish(self_, str(topic), bytes(payload));
    }

    bothost_status subscribe(std::string_view pattern, BusHandler handler) const {
        bothost_handle subscription;
        return api_->bus_subscribe(self_, str(pattern), on_bus, new BusHandler(std::move(handler)), release<BusHandler>,
                                   &subscription);
    }

    /** Registers a slash command (Discord's application command object as JSON). */
    bothost_status command(std::string_view definition_json, CommandHandler handler) const {
        bothost_handle command;
        return api_->command_register(self_, str(definition_json), on_command, new CommandHandler(std::move(handler)),
                                      release<CommandHandler>, &command);
    }

    /** Answers an interaction with a message body ({"content": …}); flags: BOTHOST_REPLY_EPHEMERAL. */
    bothost_status reply(const bothost_interaction &interaction, std::string_view message_json, uint32_t flags = 0) const {
        return api_->interaction_reply(self_, interaction.interaction, str(message_json), flags, nullptr, nullptr, nullptr);
    }

  private:
    template <class T> static void release(void *user_data) { delete static_cast<T *>(user_data); }

    static void on_bus(void *user_data, bothost_handle, bothost_str topic, bothost_bytes payload) {
        guarded([&] { (*static_cast<BusHandler *>(user_data))(view(topic), view(payload)); });
    }

    static void on_command(void *user_data, const bothost_interaction *interaction) {
        guarded([&] { (*static_cast<CommandHandler *>(user_data))(*interaction); });
    }

    /** Rule 8: nothing may unwind into the host. A callback's escaping exception is dropped here. */
    template <class F> static void guarded(F &&body) noexcept {
        try {
            body();
        } catch (...) {
        }
    }

    const bothost_host_api *api_;
    bothost_plugin *self_;
};

/** Base class of a C++ plugin. The constructor is init, start() registers, the destructor is stop. */
class Plugin {
  public:
    explicit Plugin(Host host) : host_(host) {}
    virtual ~Plugin() = default;
    Plugin(const Plugin &) = delete;
    Plugin &operator=(const Plugin &) = delete;

    /** Register commands and subscriptions here; throw (e.g. std::runtime_error) to fail the start. */
    virtual void start() {}

    const Host &host() const { return host_; }

  private:
    Host host_;
};

/**
 * The C side of plugin class P: the lifecycle trampolines and the descriptor. `owned_names` is the
 * descriptor's NULL-terminated list of names the plugin owns besides its own (see NAMES in
 * bothost_plugin.h); BOTHOST_CPP_PLUGIN passes none.
 */
template <class P> class Export {
  public:
    static const bothost_plugin_descriptor *entry(const bothost_host_api *api, const char *name, const char *version,
                                                  const char *description, uint64_t intents,
                                                  const char *const *owned_names = nullptr) {
        table() = api;
        static const bothost_plugin_descriptor descriptor = {
            sizeof(bothost_plugin_descriptor), BOTHOST_ABI_MAJOR, BOTHOST_REQUIRED_MINOR, name, version, description,
            intents, init, start, stop, nullptr, owned_names,
        };
        return &descriptor;
    }

  private:
    static const bothost_host_api *&table() {
        static const bothost_host_api *api = nullptr;
        return api;
    }

    /** Where a refusal's text lives until the host has copied it (lifecycle calls never overlap). */
    static bothost_str reason(const char *what) {
        static std::string text;
        text = what;
        return str(text);
    }

    static bothost_status init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
        try {
            *out_state = new P(Host(table(), self));
            return BOTHOST_OK;
        } catch (const std::exception &error) {
            *out_reason = reason(error.what());
        } catch (...) {
            *out_reason = reason("init failed");
        }
        return BOTHOST_E_PLUGIN;
    }

    static bothost_status start(bothost_plugin *, void *state, bothost_str *out_reason) {
        try {
            static_cast<P *>(state)->start();
            return BOTHOST_OK;
        } catch (const std::exception &error) {
            *out_reason = reason(error.what());
        } catch (...) {
            *out_reason = reason("start failed");
        }
        return BOTHOST_E_PLUGIN;
    }

    static void stop(bothost_plugin *, void *state) { delete static_cast<P *>(state); }
};

} // namespace bothost

/** The exported entry of a C++ plugin whose class is `Class`. */
#define BOTHOST_CPP_PLUGIN(Class, name, version, description, intents)                             \
    BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {                                            \
        return ::bothost::Export<Class>::entry(api, name, version, description, intents);          \
    }

#endif /* BOTHOST_PLUGIN_HPP */
