/*
 * echo.cpp — a BotHost plugin in C++, over the class-based wrapper bothost_plugin.hpp.
 *
 *   config   {"prefix": "echo: "}          (optional; that is the default)
 *   bus      a message on cppecho.in is published again on cppecho.out, after the prefix
 *   command  /cppecho text:<text>          replies "<prefix><text>"
 *
 * Build:
 *   c++ -std=c++17 -Wall -Wextra -Werror -fvisibility=hidden -shared -fPIC \
 *       -I Sources/PluginAPI/include -I Sources/PluginAPI/cpp -o libcppecho.so echo.cpp
 * (-fvisibility=hidden keeps the wrapper's inline code private to the library; the entry is
 * exported explicitly.)
 */
#include "bothost_plugin.hpp"

#include <stdexcept>
#include <string>

class Echo : public bothost::Plugin {
  public:
    // init: the constructor reads the config; throwing refuses the plugin with the message.
    explicit Echo(bothost::Host host) : bothost::Plugin(host) {
        std::string config = host.config();
        bothost::Json json = host.json(config);
        if (std::optional<std::string> prefix = json.string("/prefix")) {
            prefix_ = *prefix;
        } else if (json.integer("/prefix") || json.boolean("/prefix")) {
            throw std::runtime_error("config: \"prefix\" must be a string");
        }
    }

    void start() override {
        if (host().subscribe("cppecho.in", [this](std::string_view, std::string_view payload) { echo(payload); }) != BOTHOST_OK)
            throw std::runtime_error("cppecho.in: " + host().last_error());
        static const char definition[] =
            "{\"name\": \"cppecho\", \"description\": \"Echoes text\", \"options\": "
            "[{\"type\": 3, \"name\": \"text\", \"description\": \"What to echo\", \"required\": true}]}";
        if (host().command(definition, [this](const bothost_interaction &interaction) { answer(interaction); }) != BOTHOST_OK)
            throw std::runtime_error("/cppecho: " + host().last_error());
    }

  private:
    void echo(std::string_view payload) {
        std::string text = prefix_ + std::string(payload);
        host().publish("cppecho.out", text);
    }

    void answer(const bothost_interaction &interaction) {
        std::string said = host().json(bothost::view(interaction.json)).string("/data/options/0/value").value_or("");
        std::string message = "{\"content\": \"" + escaped(prefix_ + said) + "\"}";
        host().reply(interaction, message);
    }

    /** The inside of a JSON string. */
    static std::string escaped(const std::string &text) {
        std::string out;
        for (char c : text) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                out += ' ';
            } else {
                out += c;
            }
        }
        return out;
    }

    std::string prefix_ = "echo: ";
};

BOTHOST_CPP_PLUGIN(Echo, "cppecho", "1.0.0", "Echoes the bus and /cppecho (C++ example)", 0)
