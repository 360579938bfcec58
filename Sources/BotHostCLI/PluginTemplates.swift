/// The source file `bothost plugins new --lang c` writes: a complete plugin that reads its config
/// and answers a slash command, using nothing but bothost_plugin.h (and the host's json_* calls
/// for reading JSON).
enum CPluginTemplate {
    static func source(name: String, command: String, build: String) -> String {
        #"""
        /*
         * \#(name) — a BotHost plugin.
         *
         *   config   {"greeting": "Hello"}       (in plugins.json; optional, "Hello" by default)
         *   command  /\#(command) [who:<text>]    answers "<greeting>, <who>!" (who: you by default)
         *
         * Build:  \#(build)
         * Check:  bothost plugins check ./lib\#(name).so
         *
         * The plugin talks to the host only through the table it receives in bothost_plugin_entry();
         * bothost_plugin.h documents every call, and the rules at its top say who owns what.
         */
        #include "bothost_plugin.h"

        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        static const bothost_host_api *host;

        typedef struct plugin_state {
            bothost_plugin *self;
            char greeting[128];
        } plugin_state;

        /* Appends `text` to out as the inside of a JSON string (quotes, backslashes, controls escaped). */
        static size_t append_json_text(char *out, size_t at, size_t size, const char *text) {
            for (; *text != '\0' && at + 7 < size; text++) {
                unsigned char c = (unsigned char)*text;
                if (c == '"' || c == '\\') {
                    out[at++] = '\\';
                    out[at++] = (char)c;
                } else if (c < 0x20) {
                    at += (size_t)snprintf(out + at, size - at, "\\u%04x", c);
                } else {
                    out[at++] = (char)c;
                }
            }
            out[at] = '\0';
            return at;
        }

        /* /\#(command): options arrive in interaction->json as data.options, an array of {"name", "value"}. */
        static void on_command(void *user_data, const bothost_interaction *interaction) {
            plugin_state *s = user_data;
            char who[100], message[400];
            /* The command has one option, so when given it is the first. */
            if (host->json_get_string(interaction->json, BOTHOST_STR("/data/options/0/value"), who, sizeof who, NULL) !=
                BOTHOST_OK) {
                snprintf(who, sizeof who, "<@%llu>", (unsigned long long)interaction->user_id);
            }
            size_t at = (size_t)snprintf(message, sizeof message, "{\"content\": \"");
            at = append_json_text(message, at, sizeof message, s->greeting);
            at = append_json_text(message, at, sizeof message, ", ");
            at = append_json_text(message, at, sizeof message, who);
            snprintf(message + at, sizeof message - at, "!\"}");
            bothost_str reply = { message, strlen(message) };
            if (host->interaction_reply(s->self, interaction->interaction, reply, 0, NULL, NULL, NULL) != BOTHOST_OK) {
                bothost_str error = host->last_error();
                host->log(s->self, BOTHOST_LOG_WARNING, error);
            }
        }

        /* init: read the config. Each json_* call reads one value at a JSON Pointer ("/greeting"). */
        static bothost_status plugin_init(bothost_plugin *self, void **out_state, bothost_str *out_reason) {
            bothost_buffer config = { NULL, 0 };
            if (host->config_get(self, &config) != BOTHOST_OK) {
                *out_reason = BOTHOST_STR("could not read the config");
                return BOTHOST_E_PLUGIN;
            }
            plugin_state *s = calloc(1, sizeof *s);
            if (s == NULL) {
                host->free(config.ptr);
                *out_reason = BOTHOST_STR("out of memory");
                return BOTHOST_E_PLUGIN;
            }
            s->self = self;
            bothost_str json = { (const char *)config.ptr, config.len };
            bothost_status st = host->json_get_string(json, BOTHOST_STR("/greeting"), s->greeting, sizeof s->greeting, NULL);
            host->free(config.ptr); /* the host's buffer: released with host->free */
            if (st == BOTHOST_E_NOT_FOUND) {
                snprintf(s->greeting, sizeof s->greeting, "Hello");
            } else if (st != BOTHOST_OK) {
                free(s);
                *out_reason = BOTHOST_STR("config: \"greeting\" must be a string shorter than 128 bytes");
                return BOTHOST_E_PLUGIN;
            }
            *out_state = s;
            return BOTHOST_OK;
        }

        /* start: register what the plugin does. The host removes it all again when the plugin stops. */
        static bothost_status plugin_start(bothost_plugin *self, void *state, bothost_str *out_reason) {
            bothost_handle command;
            /* Discord's application command object; option type 3 is a string. */
            static const char definition[] =
                "{\"name\": \"\#(command)\", \"description\": \"Greets someone\", \"options\": "
                "[{\"type\": 3, \"name\": \"who\", \"description\": \"Whom to greet\", \"required\": false}]}";
            if (host->command_register(self, BOTHOST_STR(definition), on_command, state, NULL, &command) != BOTHOST_OK) {
                *out_reason = host->last_error();
                return BOTHOST_E_PLUGIN;
            }
            host->log(self, BOTHOST_LOG_INFO, BOTHOST_STR("\#(name) started"));
            return BOTHOST_OK;
        }

        /* stop: release the state (nothing of the plugin runs after this). */
        static void plugin_stop(bothost_plugin *self, void *state) {
            (void)self;
            free(state);
        }

        /* Static storage: the host keeps this pointer for the life of the process. */
        static const bothost_plugin_descriptor descriptor = {
            .struct_size = sizeof(bothost_plugin_descriptor),
            .abi_major = BOTHOST_ABI_MAJOR, .abi_minor = BOTHOST_REQUIRED_MINOR,
            .name = "\#(name)", .version = "0.1.0", .description = "Answers /\#(command) with a greeting",
            .gateway_intents = 0,
            .init = plugin_init, .start = plugin_start, .stop = plugin_stop,
            .config_changed = NULL, /* a new config restarts the plugin: stop, init, start */
        };

        /* The one exported function: remember the table, return the descriptor, nothing else. */
        BOTHOST_PLUGIN_ENTRY(const bothost_host_api *api) {
            host = api;
            return &descriptor;
        }

        """#
    }
}

/// The source file `bothost plugins new --lang swift` writes: the same plugin over PluginKit.
enum SwiftPluginTemplate {
    static func source(name: String, typeName: String, command: String) -> String {
        #"""
        import PluginKit

        /// \#(name): answers /\#(command) [who] with "<greeting>, <who>!", the greeting from its config.
        actor \#(typeName): Plugin {
            static let manifest = PluginManifest(name: "\#(name)", version: "0.1.0",
                                                 description: "Answers /\#(command) with a greeting")

            /// plugins.json → "config": {"greeting": "Hello"} (optional).
            struct Config: Decodable {
                var greeting = "Hello"

                init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: CodingKeys.self)
                    greeting = try container.decodeIfPresent(String.self, forKey: .greeting) ?? greeting
                }

                enum CodingKeys: String, CodingKey { case greeting }
            }

            let host: PluginHost
            private let config: Config

            init(host: PluginHost) throws {
                self.host = host
                config = try host.config(as: Config.self)
            }

            func start() throws {
                let command = CommandDefinition(name: "\#(command)", description: "Greets someone",
                                                options: [.string("who", "Whom to greet")])
                try host.commands.register(command) { interaction in self.greet(interaction) }
                host.log.info("\#(name) started")
            }

            private func greet(_ interaction: Interaction) {
                let who = interaction.option("who", as: String.self) ?? interaction.userMention
                do {
                    try interaction.reply("\(config.greeting), \(who)!")
                } catch {
                    host.log.warning("/\#(command) could not answer: \(error)")
                }
            }
        }

        /// The library's one exported symbol.
        @_cdecl("bothost_plugin_entry")
        public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
            PluginExport.entry(\#(typeName).self, api)
        }

        """#
    }
}
